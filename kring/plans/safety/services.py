"""Signs of Safety: the writes of a safety plan's records.

- the three-column map (what are we worried about, what is working well, what needs to happen), each line with
  who agrees and who does not;
- danger statements, each paired with its safety goal (one is never saved without the other);
- safety scaling 0-10 per person over time (a person of the case or a professional of the case team);
- the safety network: persons of the case, never one marked unsafe on the network map;
- the child's own tools (Three Houses, Words and Pictures) as attachments, shared beyond the case team only as
  the family's consent allows.

The rules of the safety plan are the plan's safety agreements; the plan pages write them, the safety page lists
them.

Writes go like the rest of the plan stage (``plans.editing``): ``open_plan`` locks the case and the plan and
checks the permission, the record is validated and saved in one transaction, versioned records refuse a stale
edit, and every write is in the access log. Only a plan of the kind "safety plan" takes these records.
"""

from __future__ import annotations

import os
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.audit.services import Access, Action, log_access, person_access
from kring.cases.choices import ConsentPurpose
from kring.cases.editing import logs_refusal, refuse_if_stale, validate
from kring.cases.services import has_consent
from kring.core.errors import NotFound
from kring.core.history import set_history_user
from kring.network.models import NetworkMember, Safety

from ..choices import ChildTool, MapColumn, PlanType, Sharing
from ..editing import (
    child_tool_access,
    open_plan,
    person_of_case,
    refuse_during_private_time,
    refuse_ended,
    refuse_unknown,
    save_new_version,
    team_user,
)
from ..models import (
    ChildToolAttachment,
    DangerStatement,
    Review,
    SafetyMapEntry,
    SafetyNetworkMember,
    SafetyScaleRating,
)

ENTRY_FIELDS = ["column", "text", "who_agrees", "who_disagrees"]
STATEMENT_FIELDS = ["order", "statement", "safety_goal"]
RATING_FIELDS = ["person", "rater_user", "score", "rated_on", "review", "note"]
ATTACHMENT_FIELDS = ["tool", "title", "child", "sharing"]

SCORE_MIN, SCORE_MAX = 0, 10
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024

# The file types a child's tool may be: a scan or photo of a drawing, or a PDF. Recognised by their first bytes.
FILE_TYPES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}

# The consent each sharing level beyond the case team needs.
SHARING_CONSENT = {
    Sharing.FAMILY: ConsentPurpose.SHARE_PLAN,
    Sharing.NETWORK: ConsentPurpose.SHARE_WITH_NETWORK,
}


# ---- access log records ------------------------------------------------------------------------------------


def entry_access(entry) -> Access:
    return Access("safety_map_entry", entry.pk, entry.case_id, entry.organisation_id)


def statement_access(statement) -> Access:
    return Access("danger_statement", statement.pk, statement.case_id, statement.organisation_id)


def rating_access(rating) -> Access:
    return Access("safety_rating", rating.pk, rating.case_id, rating.organisation_id)


def network_member_access(member) -> Access:
    return Access("safety_network_member", member.pk, member.case_id, member.organisation_id)


# ---- helpers -----------------------------------------------------------------------------------------------


def _refuse_not_safety_plan(plan):
    if plan.plan_type != PlanType.SAFETY_PLAN:
        raise ValidationError(
            {
                "__all__": [
                    _("Signs of Safety records belong to a safety plan; the plan of this trajectory is a %(kind)s.")
                    % {"kind": plan.get_plan_type_display()}
                ]
            }
        )


def _open_safety_plan(actor, case_id, plan_id):
    """Lock case and plan, check the permission, and refuse a plan that is not a safety plan or whose trajectory
    ended, and any write while the family deliberates in private."""
    case, plan = open_plan(actor, case_id, plan_id)
    _refuse_not_safety_plan(plan)
    refuse_ended(plan.trajectory)
    refuse_during_private_time(plan)
    return case, plan


def _lock_in_plan(model, case, plan, record_id):
    record = model.objects.select_for_update().filter(pk=record_id, case=case, plan=plan).first()
    if record is None:
        raise NotFound()
    return record


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def score_of(value) -> int:
    message = _("Give a whole number from %(min)s to %(max)s.") % {"min": SCORE_MIN, "max": SCORE_MAX}
    if isinstance(value, bool) or value in (None, ""):
        raise ValidationError({"score": [message]})
    if isinstance(value, float) and not value.is_integer():
        raise ValidationError({"score": [message]})
    try:
        score = int(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({"score": [message]}) from None
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise ValidationError({"score": [message]})
    return score


def _date(value, field_name, *, required=True) -> date | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field_name: [_("Enter a date.")]})
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError({field_name: [_("Enter a valid date.")]}) from None
    if not isinstance(value, date):
        raise ValidationError({field_name: [_("Enter a valid date.")]})
    if value > timezone.localdate():
        raise ValidationError({field_name: [_("This date cannot be in the future.")]})
    return value


# ---- the map -----------------------------------------------------------------------------------------------


def _apply_entry(entry, data):
    for name, value in data.items():
        setattr(entry, name, _text(value))
    errors = {}
    if entry.column not in MapColumn.values:
        errors["column"] = [_("Choose a category of the map.")]
    if not entry.text:
        errors["text"] = [_("Write what this line of the map says.")]
    if errors:
        raise ValidationError(errors)
    validate(entry, exclude=["plan", "case", "organisation", "created_by"])


@logs_refusal
@transaction.atomic
def add_map_entry(actor, case_id, plan_id, data: dict) -> SafetyMapEntry:
    """A line in one column of the map: what we are worried about (harm, complicating factors), what is working
    well (strengths, existing safety) or what needs to happen."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    refuse_unknown(data, ENTRY_FIELDS)
    entry = SafetyMapEntry(plan=plan, case=case, organisation=case.organisation, created_by=actor.user)
    _apply_entry(entry, data)
    set_history_user(entry, actor.user)
    entry.save()
    log_access(actor, Action.CREATE, [entry_access(entry)])
    return entry


def _change(actor, case_id, plan_id, model, record_id, changes, expected_version, fields, apply, access):
    """Change one record of the safety plan: version-checked, validated by ``apply``, kept in its history."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    record = _lock_in_plan(model, case, plan, record_id)
    refuse_if_stale(record, expected_version, fields)
    refuse_unknown(changes, fields)
    apply(record, changes)
    save_new_version(record, actor)
    log_access(actor, Action.UPDATE, [access(record)])
    return record


def _remove(actor, case_id, plan_id, model, record_id, expected_version, fields, access):
    """Remove one record of the safety plan, version-checked; its history keeps who removed it."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    record = _lock_in_plan(model, case, plan, record_id)
    refuse_if_stale(record, expected_version, fields)
    log_access(actor, Action.DELETE, [access(record)])
    set_history_user(record, actor.user)
    record.delete()


@logs_refusal
@transaction.atomic
def update_map_entry(actor, case_id, plan_id, entry_id, changes: dict, expected_version) -> SafetyMapEntry:
    return _change(
        actor,
        case_id,
        plan_id,
        SafetyMapEntry,
        entry_id,
        changes,
        expected_version,
        ENTRY_FIELDS,
        _apply_entry,
        entry_access,
    )


@logs_refusal
@transaction.atomic
def remove_map_entry(actor, case_id, plan_id, entry_id, expected_version) -> None:
    _remove(actor, case_id, plan_id, SafetyMapEntry, entry_id, expected_version, ENTRY_FIELDS, entry_access)


# ---- danger statements and safety goals --------------------------------------------------------------------


def _apply_statement(statement, data):
    for name, value in data.items():
        if name == "order":
            if value not in (None, ""):
                try:
                    statement.order = int(value)
                except (TypeError, ValueError):
                    raise ValidationError({"order": [_("Give a whole number.")]}) from None
        else:
            setattr(statement, name, _text(value))
    errors = {}
    if not statement.statement:
        errors["statement"] = [_("A safety goal needs its danger statement: say what the danger is.")]
    if not statement.safety_goal:
        errors["safety_goal"] = [
            _(
                "A danger statement is always paired with its safety goal: say what has to be "
                "true for the children to be safe."
            )
        ]
    if errors:
        raise ValidationError(errors)
    validate(statement, exclude=["plan", "case", "organisation"])


@logs_refusal
@transaction.atomic
def add_danger_statement(actor, case_id, plan_id, data: dict) -> DangerStatement:
    """A danger statement with its safety goal; both are required."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    refuse_unknown(data, STATEMENT_FIELDS)
    last = plan.danger_statements.order_by("-order").values_list("order", flat=True).first()
    statement = DangerStatement(plan=plan, case=case, organisation=case.organisation, order=(last or 0) + 1)
    _apply_statement(statement, data)
    set_history_user(statement, actor.user)
    statement.save()
    log_access(actor, Action.CREATE, [statement_access(statement)])
    return statement


@logs_refusal
@transaction.atomic
def update_danger_statement(actor, case_id, plan_id, statement_id, changes: dict, expected_version) -> DangerStatement:
    return _change(
        actor,
        case_id,
        plan_id,
        DangerStatement,
        statement_id,
        changes,
        expected_version,
        STATEMENT_FIELDS,
        _apply_statement,
        statement_access,
    )


@logs_refusal
@transaction.atomic
def remove_danger_statement(actor, case_id, plan_id, statement_id, expected_version) -> None:
    """Removes the statement together with its goal: the two only exist as a pair."""
    _remove(
        actor,
        case_id,
        plan_id,
        DangerStatement,
        statement_id,
        expected_version,
        STATEMENT_FIELDS,
        statement_access,
    )


# ---- safety scaling ----------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def record_rating(actor, case_id, plan_id, data: dict) -> SafetyScaleRating:
    """Where one person puts the safety today, 0 to 10: a person of the case (family or network) or a
    professional of the case team, optionally at a review of the plan."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    refuse_unknown(data, RATING_FIELDS)
    errors: dict[str, list[str]] = {}

    def collect(func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
            return None

    person = collect(person_of_case, case, data.get("person"), "person")
    professional = collect(team_user, case, data.get("rater_user"), "rater_user")
    score = collect(score_of, data.get("score"))
    rated_on = collect(_date, data.get("rated_on") or timezone.localdate(), "rated_on")
    review = None
    if data.get("review") not in (None, ""):
        review_id = getattr(data["review"], "pk", data["review"])
        try:
            review = Review.objects.filter(plan=plan, pk=int(review_id)).first()
        except (TypeError, ValueError):
            review = None
        if review is None:
            errors["review"] = [_("Choose a review of this plan.")]
    if "person" not in errors and "rater_user" not in errors:
        if person is None and professional is None:
            errors["person"] = [_("Say who gives this score: a person of the case or a professional.")]
        elif person is not None and professional is not None:
            errors["person"] = [_("A score is one person's: choose a person of the case or a professional, not both.")]
    if errors:
        raise ValidationError(errors)
    rating = SafetyScaleRating(
        plan=plan,
        case=case,
        organisation=case.organisation,
        person=person,
        rater_user=professional,
        score=score,
        rated_on=rated_on,
        review=review,
        note=_text(data.get("note")),
        recorded_by=actor.user,
    )
    validate(rating, exclude=["plan", "case", "organisation", "person", "rater_user", "review", "recorded_by"])
    rating.save()
    accesses = [rating_access(rating)] + ([person_access(person)] if person else [])
    log_access(actor, Action.CREATE, accesses)
    return rating


@logs_refusal
@transaction.atomic
def remove_rating(actor, case_id, plan_id, rating_id) -> None:
    """Take back a score that was recorded by mistake."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    rating = _lock_in_plan(SafetyScaleRating, case, plan, rating_id)
    log_access(actor, Action.DELETE, [rating_access(rating)])
    rating.delete()


# ---- the safety network ------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def add_network_member(actor, case_id, plan_id, person_id, role: str = "") -> SafetyNetworkMember:
    """A person of the case joins the safety network. Only trustworthy network members join a safety plan: a
    person marked unsafe on the network map is refused."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    person = person_of_case(case, person_id, "person", required=True)
    safety = NetworkMember.objects.filter(person=person).values_list("safety", flat=True).first()
    if safety == Safety.UNSAFE:
        raise ValidationError(
            {
                "person": [
                    _(
                        "%(name)s is marked unsafe on the network map. Only trustworthy network members join a safety plan."
                    )
                    % {"name": person.full_name}
                ]
            }
        )
    if SafetyNetworkMember.objects.filter(plan=plan, person=person).exists():
        raise ValidationError(
            {"person": [_("%(name)s is already in the safety network.") % {"name": person.full_name}]}
        )
    member = SafetyNetworkMember(plan=plan, case=case, organisation=case.organisation, person=person, role=_text(role))
    validate(member, exclude=["plan", "case", "organisation", "person"])
    member.save()
    log_access(actor, Action.CREATE, [network_member_access(member), person_access(person)])
    return member


@logs_refusal
@transaction.atomic
def remove_network_member(actor, case_id, plan_id, member_id) -> None:
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    member = _lock_in_plan(SafetyNetworkMember, case, plan, member_id)
    log_access(actor, Action.DELETE, [network_member_access(member)])
    member.delete()


# ---- the child's own tools ---------------------------------------------------------------------------------


def sniff_content_type(content: bytes) -> str | None:
    """The file type by its first bytes (not its name), if it is one we accept."""
    for content_type, (magic, _extensions) in FILE_TYPES.items():
        if content.startswith(magic):
            return content_type
    return None


def _clean_filename(name) -> str:
    name = os.path.basename(str(name or "").replace("\\", "/"))
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip().strip(".") or "file"
    stem, ext = os.path.splitext(name)
    return stem[: 200 - len(ext)] + ext.lower()


def check_file(filename, content) -> tuple[str, str]:
    """(clean file name, content type) of an acceptable upload, or a ValidationError on ``file``."""
    if not isinstance(content, bytes | bytearray | memoryview):
        raise ValidationError({"file": [_("Choose a file.")]})
    content = bytes(content)
    if not content:
        raise ValidationError({"file": [_("The file is empty.")]})
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {"file": [_("The file is larger than %(size)s MB.") % {"size": MAX_ATTACHMENT_BYTES // (1024 * 1024)}]}
        )
    name = _clean_filename(filename)
    ext = os.path.splitext(name)[1]
    content_type = sniff_content_type(content)
    if content_type is None:
        raise ValidationError(
            {"file": [_("Only PDF, PNG and JPEG files can be added; this file's content is none of those.")]}
        )
    if ext not in FILE_TYPES[content_type][1]:
        raise ValidationError(
            {
                "file": [
                    _(
                        "The file's name does not match its content. Only PDF, PNG and JPEG "
                        "files can be added, named .pdf, .png, .jpg or .jpeg."
                    )
                ]
            }
        )
    return name, content_type


def _refuse_sharing_without_consent(case, sharing):
    if sharing not in Sharing.values:
        raise ValidationError({"sharing": [_("Choose with whom it is shared.")]})
    purpose = SHARING_CONSENT.get(sharing)
    if purpose and not has_consent(case, purpose):
        raise ValidationError(
            {
                "sharing": [
                    _(
                        "There is no consent in force to %(purpose)s. Record the family's consent first, or keep it within "
                        "the case team."
                    )
                    % {"purpose": ConsentPurpose(purpose).label}
                ]
            }
        )


@logs_refusal
@transaction.atomic
def add_attachment(actor, case_id, plan_id, data: dict, filename: str, content: bytes) -> ChildToolAttachment:
    """Keep a child's own tool (a drawing, a scan, a PDF) with the plan. Only PDF, PNG and JPEG, recognised by
    their content, up to 5 MB. Sharing beyond the case team needs the matching consent."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    refuse_unknown(data, ATTACHMENT_FIELDS)
    errors = {}
    tool = _text(data.get("tool"))
    if tool not in ChildTool.values:
        errors["tool"] = [_("Choose a tool from the list.")]
    title = _text(data.get("title"))
    if not title:
        errors["title"] = [_("Give the attachment a title.")]
    sharing = _text(data.get("sharing")) or Sharing.CASE_TEAM
    child = clean_name = content_type = None
    try:
        child = person_of_case(case, data.get("child"), "child", required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        _refuse_sharing_without_consent(case, sharing)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        clean_name, content_type = check_file(filename, content)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    assert clean_name is not None and content_type is not None  # check_file passed, or errors were raised
    return save_child_tool(actor, case, plan, child, tool, title, sharing, clean_name, content_type, content)


def save_child_tool(actor, case, plan, child, tool, title, sharing, filename, content_type, content):
    """Store a child's tool whose file and fields were checked (here and by the child's voice page), and log it."""
    content = bytes(content)
    attachment = ChildToolAttachment(
        plan=plan,
        case=case,
        organisation=case.organisation,
        tool=tool,
        title=title,
        child=child,
        sharing=sharing,
        filename=filename,
        content_type=content_type,
        content=content,
        size=len(content),
        uploaded_by=actor.user,
    )
    validate(attachment, exclude=["plan", "case", "organisation", "child", "uploaded_by", "content"])
    attachment.save()
    log_access(actor, Action.CREATE, [child_tool_access(attachment), person_access(child)])
    return attachment


@logs_refusal
@transaction.atomic
def change_sharing(actor, case_id, plan_id, attachment_id, sharing: str) -> ChildToolAttachment:
    """Share a child's tool more or less widely. Wider than the case team only with consent in force today;
    narrowing is always allowed."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    attachment = _lock_in_plan(ChildToolAttachment, case, plan, attachment_id)
    sharing = _text(sharing)
    _refuse_sharing_without_consent(case, sharing)
    attachment.sharing = sharing
    attachment.save(update_fields=["sharing"])
    log_access(actor, Action.UPDATE, [child_tool_access(attachment)], detail=f"sharing: {sharing}")
    return attachment


@logs_refusal
@transaction.atomic
def remove_attachment(actor, case_id, plan_id, attachment_id) -> None:
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    attachment = _lock_in_plan(ChildToolAttachment, case, plan, attachment_id)
    log_access(actor, Action.DELETE, [child_tool_access(attachment)])
    attachment.delete()
