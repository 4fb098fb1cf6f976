"""Signs of Safety: the records of a safety plan and the read for its page.

- the three-column map (what are we worried about, what is working well, what needs to happen), each line with
  who agrees and who does not;
- danger statements, each paired with its safety goal (one is never saved without the other);
- safety scaling 0-10 per person over time (a person of the case or a professional of the case team);
- the safety network: persons of the case, never one marked unsafe on the network map;
- the child's own tools (Three Houses, Words and Pictures) as attachments, shared beyond the case team only as
  the family's consent allows.

The rules of the safety plan are the plan's safety agreements; the plan pages write them, this page lists them.

Writes go like the rest of the plan stage: ``open_plan`` locks the case and the plan and checks the permission,
the record is validated and saved in one transaction, versioned records refuse a stale edit, and every write is
in the access log. Only a plan of the kind "safety plan" takes these records.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.audit.services import Access, Action, log_access, person_access
from kring.cases import queries as case_queries
from kring.cases.choices import ConsentPurpose
from kring.cases.editing import logs_refusal, refuse_if_stale, validate
from kring.cases.models import CaseTeamMember, Person
from kring.cases.services import has_consent
from kring.core.errors import NotFound
from kring.network.models import NetworkMember, Safety

from . import queries, services
from .charts import line_chart_svg
from .choices import MAP_GROUPS, ChildTool, MapColumn, PlanType, Sharing
from .models import (
    ChildToolAttachment,
    DangerStatement,
    Plan,
    Review,
    SafetyMapEntry,
    SafetyNetworkMember,
    SafetyScaleRating,
)
from .services import _refuse_during_private_time, _refuse_ended, _refuse_unknown, _save, open_plan

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


def attachment_access(attachment) -> Access:
    # The same record type as the plan queries use for the child's tools.
    return Access("child_tool", attachment.pk, attachment.case_id, attachment.organisation_id)


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
    _refuse_ended(plan.trajectory)
    _refuse_during_private_time(plan)
    return case, plan


def _lock_in_plan(model, case, plan, record_id):
    record = model.objects.select_for_update().filter(pk=record_id, case=case, plan=plan).first()
    if record is None:
        raise NotFound()
    return record


def _text(value) -> str:
    return "" if value is None else str(value).strip()


# Persons and team members are looked up as the plan services do (ids of other cases are refused alike).
_person_of_case = services._person_of_case
_team_user = services._team_user


def _score(value) -> int:
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
def add_map_entry(actor, case_id, plan_id, data: dict, path: str = "") -> SafetyMapEntry:
    """A line in one column of the map: what we are worried about (harm, complicating factors), what is working
    well (strengths, existing safety) or what needs to happen."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    _refuse_unknown(data, ENTRY_FIELDS)
    entry = SafetyMapEntry(plan=plan, case=case, organisation=case.organisation, created_by=actor.user)
    _apply_entry(entry, data)
    entry._history_user = actor.user
    entry.save()
    log_access(actor, Action.CREATE, [entry_access(entry)], path=path)
    return entry


def _change(actor, case_id, plan_id, model, record_id, changes, expected_version, fields, apply, access, path):
    """Change one record of the safety plan: version-checked, validated by ``apply``, kept in its history."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    record = _lock_in_plan(model, case, plan, record_id)
    refuse_if_stale(record, expected_version, fields)
    _refuse_unknown(changes, fields)
    apply(record, changes)
    _save(record, actor)
    log_access(actor, Action.UPDATE, [access(record)], path=path)
    return record


def _remove(actor, case_id, plan_id, model, record_id, expected_version, fields, access, path):
    """Remove one record of the safety plan, version-checked; its history keeps who removed it."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    record = _lock_in_plan(model, case, plan, record_id)
    refuse_if_stale(record, expected_version, fields)
    log_access(actor, Action.DELETE, [access(record)], path=path)
    record._history_user = actor.user
    record.delete()


@logs_refusal
@transaction.atomic
def update_map_entry(
    actor, case_id, plan_id, entry_id, changes: dict, expected_version, path: str = ""
) -> SafetyMapEntry:
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
        path,
    )


@logs_refusal
@transaction.atomic
def remove_map_entry(actor, case_id, plan_id, entry_id, expected_version, path: str = "") -> None:
    _remove(actor, case_id, plan_id, SafetyMapEntry, entry_id, expected_version, ENTRY_FIELDS, entry_access, path)


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
def add_danger_statement(actor, case_id, plan_id, data: dict, path: str = "") -> DangerStatement:
    """A danger statement with its safety goal; both are required."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    _refuse_unknown(data, STATEMENT_FIELDS)
    last = plan.danger_statements.order_by("-order").values_list("order", flat=True).first()
    statement = DangerStatement(plan=plan, case=case, organisation=case.organisation, order=(last or 0) + 1)
    _apply_statement(statement, data)
    statement._history_user = actor.user
    statement.save()
    log_access(actor, Action.CREATE, [statement_access(statement)], path=path)
    return statement


@logs_refusal
@transaction.atomic
def update_danger_statement(
    actor, case_id, plan_id, statement_id, changes: dict, expected_version, path: str = ""
) -> DangerStatement:
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
        path,
    )


@logs_refusal
@transaction.atomic
def remove_danger_statement(actor, case_id, plan_id, statement_id, expected_version, path: str = "") -> None:
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
        path,
    )


# ---- safety scaling ----------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def record_rating(actor, case_id, plan_id, data: dict, path: str = "") -> SafetyScaleRating:
    """Where one person puts the safety today, 0 to 10: a person of the case (family or network) or a
    professional of the case team, optionally at a review of the plan."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    _refuse_unknown(data, RATING_FIELDS)
    errors = {}

    def collect(func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
            return None

    person = collect(_person_of_case, case, data.get("person"), "person")
    professional = collect(_team_user, case, data.get("rater_user"), "rater_user")
    score = collect(_score, data.get("score"))
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
    log_access(actor, Action.CREATE, accesses, path=path)
    return rating


@logs_refusal
@transaction.atomic
def remove_rating(actor, case_id, plan_id, rating_id, path: str = "") -> None:
    """Take back a score that was recorded by mistake."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    rating = _lock_in_plan(SafetyScaleRating, case, plan, rating_id)
    log_access(actor, Action.DELETE, [rating_access(rating)], path=path)
    rating.delete()


# ---- the safety network ------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def add_network_member(actor, case_id, plan_id, person_id, role: str = "", path: str = "") -> SafetyNetworkMember:
    """A person of the case joins the safety network. Only trustworthy network members join a safety plan: a
    person marked unsafe on the network map is refused."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    person = _person_of_case(case, person_id, "person", required=True)
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
    log_access(actor, Action.CREATE, [network_member_access(member), person_access(person)], path=path)
    return member


@logs_refusal
@transaction.atomic
def remove_network_member(actor, case_id, plan_id, member_id, path: str = "") -> None:
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    member = _lock_in_plan(SafetyNetworkMember, case, plan, member_id)
    log_access(actor, Action.DELETE, [network_member_access(member)], path=path)
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
def add_attachment(
    actor, case_id, plan_id, data: dict, filename: str, content: bytes, path: str = ""
) -> ChildToolAttachment:
    """Keep a child's own tool (a drawing, a scan, a PDF) with the plan. Only PDF, PNG and JPEG, recognised by
    their content, up to 5 MB. Sharing beyond the case team needs the matching consent."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    _refuse_unknown(data, ATTACHMENT_FIELDS)
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
        child = _person_of_case(case, data.get("child"), "child", required=True)
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
    content = bytes(content)
    attachment = ChildToolAttachment(
        plan=plan,
        case=case,
        organisation=case.organisation,
        tool=tool,
        title=title,
        child=child,
        sharing=sharing,
        filename=clean_name,
        content_type=content_type,
        content=content,
        size=len(content),
        uploaded_by=actor.user,
    )
    validate(attachment, exclude=["plan", "case", "organisation", "child", "uploaded_by", "content"])
    attachment.save()
    log_access(actor, Action.CREATE, [attachment_access(attachment), person_access(child)], path=path)
    return attachment


@logs_refusal
@transaction.atomic
def change_sharing(actor, case_id, plan_id, attachment_id, sharing: str, path: str = "") -> ChildToolAttachment:
    """Share a child's tool more or less widely. Wider than the case team only with consent in force today;
    narrowing is always allowed."""
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    attachment = _lock_in_plan(ChildToolAttachment, case, plan, attachment_id)
    sharing = _text(sharing)
    _refuse_sharing_without_consent(case, sharing)
    attachment.sharing = sharing
    attachment.save(update_fields=["sharing"])
    log_access(actor, Action.UPDATE, [attachment_access(attachment)], path=path, detail=f"sharing: {sharing}")
    return attachment


@logs_refusal
@transaction.atomic
def remove_attachment(actor, case_id, plan_id, attachment_id, path: str = "") -> None:
    case, plan = _open_safety_plan(actor, case_id, plan_id)
    attachment = _lock_in_plan(ChildToolAttachment, case, plan, attachment_id)
    log_access(actor, Action.DELETE, [attachment_access(attachment)], path=path)
    attachment.delete()


def attachment_download(actor, case_id, trajectory_id, attachment_id, path: str = "") -> ChildToolAttachment:
    """One attachment with its content, for the case team; logged as an export. Outside the user's cases: NotFound,
    logged as refused."""
    case = case_queries.get_case(actor, case_id, path=path, log=False)
    attachment = (
        ChildToolAttachment.objects.select_related("child")
        .filter(case=case, plan__trajectory_id=trajectory_id, pk=attachment_id)
        .first()
    )
    if attachment is None:
        raise NotFound()
    accesses = [attachment_access(attachment)] + ([person_access(attachment.child)] if attachment.child else [])
    log_access(actor, Action.EXPORT, accesses, path=path)
    return attachment


# ---- the safety page ---------------------------------------------------------------------------------------


@dataclass
class MapColumnView:
    code: str
    label: str
    entries: list


@dataclass
class MapGroupView:
    title: str
    columns: list  # MapColumnView


@dataclass
class AttachmentRow:
    attachment: ChildToolAttachment
    consent_in_force: bool  # False: shared more widely than the consent in force allows today


@dataclass
class SafetyPage:
    view: queries.PlanView
    case: object
    trajectory: object
    plan: Plan | None
    groups: list = field(default_factory=list)
    statements: list = field(default_factory=list)
    ratings: list = field(default_factory=list)
    chart: str = ""
    rules: list = field(default_factory=list)
    network: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    unsafe_ids: set = field(default_factory=set)  # persons marked unsafe on the network map (since they joined)

    @property
    def is_safety_plan(self) -> bool:
        return self.view.is_safety_plan


def rating_series(ratings) -> dict[str, list[tuple[date, float]]]:
    """One series per rater, in the order they first gave a score. Two raters with the same name stay apart."""
    series: dict[str, list] = {}
    names: dict[tuple, str] = {}
    for rating in sorted(ratings, key=lambda r: (r.rated_on, r.pk)):
        key = ("p", rating.person_id) if rating.person_id else ("u", rating.rater_user_id)
        if key not in names:
            name, n = rating.rater, 2
            while name in series:
                name, n = f"{rating.rater} ({n})", n + 1
            names[key] = name
            series[name] = []
        series[names[key]].append((rating.rated_on, float(rating.score)))
    return series


def safety_page(actor, case_id, trajectory_id, path: str = "") -> SafetyPage:
    """Everything the Signs of Safety page shows, from the plan's read (visibility, access log); the safety
    records and the persons they name are logged too."""
    view = queries.plan_view(actor, case_id, trajectory_id, path=path)
    page = SafetyPage(view=view, case=view.case, trajectory=view.trajectory, plan=view.plan)
    if view.plan is None or not view.is_safety_plan:
        return page
    by_column: dict[str, list] = {}
    for entry in view.map_entries:
        by_column.setdefault(entry.column, []).append(entry)
    page.groups = [
        MapGroupView(str(title), [MapColumnView(c.value, c.label, by_column.get(c.value, [])) for c in columns])
        for title, columns in MAP_GROUPS
    ]
    page.statements = view.danger_statements
    page.ratings = sorted(view.ratings, key=lambda r: (r.rated_on, r.pk))
    # The axis label stays short to fit beside the chart; the page explains 0 and 10 above it.
    page.chart = line_chart_svg(
        rating_series(page.ratings), SCORE_MIN, SCORE_MAX, _("Safety scale over time"), _("score (0-10)")
    )
    page.rules = [a for a in view.agreements if a.is_safety]
    page.network = view.safety_network
    consent = {sharing: has_consent(view.case, purpose) for sharing, purpose in SHARING_CONSENT.items()}
    page.attachments = [AttachmentRow(a, consent.get(a.sharing, True)) for a in view.attachments]
    page.unsafe_ids = unsafe_person_ids(view.case)
    persons = {
        p.pk: p
        for p in (
            [r.person for r in view.ratings]
            + [m.person for m in view.safety_network]
            + [a.child for a in view.attachments]
        )
        if p is not None
    }
    accesses = (
        [entry_access(e) for e in view.map_entries]
        + [statement_access(s) for s in view.danger_statements]
        + [rating_access(r) for r in view.ratings]
        + [network_member_access(m) for m in view.safety_network]
        + [attachment_access(a) for a in view.attachments]
        + [person_access(p) for p in persons.values()]
    )
    log_access(actor, Action.VIEW, accesses, path=path)
    return page


@dataclass
class SafetyFormContext:
    """What a Signs of Safety form page needs: the plan, and for the forms that name people their choices."""

    case: object
    trajectory: object
    plan: Plan
    persons: list = field(default_factory=list)
    team: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    unsafe_ids: set = field(default_factory=set)


def safety_plan_for(actor, case_id, trajectory_id, path: str = "", with_persons: bool = False) -> SafetyFormContext:
    """The trajectory's safety plan for a form page; NotFound when it has none. With ``with_persons`` also the
    persons of the case (logged), the case team and the plan's reviews, for the form's choices."""
    case, trajectory = queries.get_trajectory(actor, case_id, trajectory_id, path=path)
    plan = Plan.objects.filter(trajectory=trajectory, plan_type=PlanType.SAFETY_PLAN).first()
    if plan is None:
        raise NotFound()
    from .services import plan_access

    context = SafetyFormContext(case=case, trajectory=trajectory, plan=plan)
    if with_persons:
        context.persons = case_persons(case)
        context.team = list(CaseTeamMember.objects.filter(case=case).select_related("user"))
        context.reviews = list(plan.reviews.all())
        context.unsafe_ids = unsafe_person_ids(case)
    log_access(actor, Action.VIEW, [plan_access(plan)] + [person_access(p) for p in context.persons], path=path)
    return context


def safety_record(actor, case_id, trajectory_id, model, record_id, path: str = ""):
    """(form context, record) for an edit form: the record must belong to this trajectory's safety plan."""
    context = safety_plan_for(actor, case_id, trajectory_id, path=path)
    record = model.objects.filter(case=context.case, plan=context.plan, pk=record_id).first()
    if record is None:
        raise NotFound()
    access = {SafetyMapEntry: entry_access, DangerStatement: statement_access}[model]
    log_access(actor, Action.VIEW, [access(record)], path=path)
    return context, record


def require_record(context, model, record_id) -> None:
    """NotFound unless the record belongs to the context's safety plan: checked before a posted form is read, so a
    record of another plan is refused (and logged as refused) whatever the form holds."""
    if not model.objects.filter(case=context.case, plan=context.plan, pk=record_id).exists():
        raise NotFound()


def case_persons(case):
    """The persons of a case, central persons first (the caller logs them)."""
    return list(Person.objects.filter(case=case).order_by("-is_central", "last_name", "first_name"))


def unsafe_person_ids(case) -> set:
    return set(NetworkMember.objects.filter(case=case, safety=Safety.UNSAFE).values_list("person_id", flat=True))


__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "SafetyPage",
    "add_attachment",
    "add_danger_statement",
    "add_map_entry",
    "add_network_member",
    "attachment_download",
    "change_sharing",
    "check_file",
    "record_rating",
    "remove_attachment",
    "remove_danger_statement",
    "remove_map_entry",
    "remove_network_member",
    "remove_rating",
    "safety_page",
    "safety_plan_for",
    "safety_record",
    "update_danger_statement",
    "update_map_entry",
]
