"""The child's voice: the writes. Like every plan write (``plans.editing``): ``open_plan`` locks the case and the
plan and checks the permission, the record is validated and saved in one transaction, and every write is in the
access log. Unlike the Signs of Safety records these belong to a plan of ANY method (decision 260).

- the child's own tools (Three Houses, Words and Pictures, a drawing, other): a file kept with the plan, checked by
  its content like the Signs of Safety attachment (``safety.services.check_file``); a drawing is an image (PNG or
  JPEG) only; shared beyond the case team only as the family's consent allows;
- the child's wishes: a list in the child's words and order, shared like the tools;
- the child's assent to the plan version presented: yes, partly or no, in the child's own words, how and by whom
  the child was heard; once per child and version, and only for the version the plan is at (decision 261);
- a child advocate or trusted person at a child's side (a person of the case, or a name), on the case;
- the organisation's age under which a child invited to a meeting gets one (decision 262).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.audit.services import Access, Action, log_access, person_access
from kring.cases.editing import check_can_edit, lock_case, logs_refusal, validate
from kring.network import unsafe

from ..alerts.services import settings_organisations
from ..choices import AdvocateRole, Assent, ChildTool, Sharing
from ..core import ADULT_AGE, age_in_years
from ..editing import (
    child_tool_access,
    open_plan,
    person_of_case,
    refuse_during_private_time,
    refuse_ended,
    refuse_unknown,
)
from ..models import ChildAdvocate, ChildAssent, ChildToolAttachment, ChildVoiceSettings, ChildWish
from ..safety.services import _refuse_sharing_without_consent, check_file, save_child_tool

TOOL_FIELDS = ["tool", "title", "child", "sharing"]
WISH_FIELDS = ["child", "text", "sharing"]
ASSENT_FIELDS = ["child", "edition", "assent", "in_own_words", "heard_by", "heard_on"]
ADVOCATE_FIELDS = ["child", "person", "name", "role", "since"]

IMAGE_TYPES = ("image/png", "image/jpeg")


# ---- access log records ------------------------------------------------------------------------------------


def wish_access(wish) -> Access:
    return Access("child_wish", wish.pk, wish.case_id, wish.organisation_id)


def assent_access(assent) -> Access:
    return Access("child_assent", assent.pk, assent.case_id, assent.organisation_id)


def advocate_access(advocate) -> Access:
    return Access("child_advocate", advocate.pk, advocate.case_id, advocate.organisation_id)


# ---- helpers -----------------------------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _open_child_plan(actor, case_id, plan_id):
    """Lock case and plan and check the permission; refuse a plan whose trajectory ended, and any write while the
    family deliberates in private. Any method's plan."""
    case, plan = open_plan(actor, case_id, plan_id)
    refuse_ended(plan.trajectory)
    refuse_during_private_time(plan)
    return case, plan


def child_of_case(case, value, field="child"):
    """A person of this case who is a child: under 18 on their birth date, or without one recorded."""
    person = person_of_case(case, value, field, required=True)
    age = age_in_years(person.birth_date, timezone.localdate())
    if age is not None and age >= ADULT_AGE:
        raise ValidationError(
            {field: [_("%(name)s is 18 or older: choose a child of this case.") % {"name": person.full_name}]}
        )
    return person


def _date(value, field, *, required=True) -> date | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: [_("Enter a date.")]})
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError({field: [_("Enter a valid date.")]}) from None
    if not isinstance(value, date):
        raise ValidationError({field: [_("Enter a valid date.")]})
    if value > timezone.localdate():
        raise ValidationError({field: [_("This date cannot be in the future.")]})
    return value


def _collect(errors: dict, func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
        return None


def _lock_in_plan(model, case, plan, record_id):
    from kring.core.errors import NotFound

    record = model.objects.select_for_update().filter(pk=record_id, case=case, plan=plan).first()
    if record is None:
        raise NotFound()
    return record


# ---- the child's own tools ---------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def add_tool(actor, case_id, plan_id, data: dict, filename: str, content: bytes) -> ChildToolAttachment:
    """Keep a child's own tool with a plan of any method: PDF, PNG or JPEG recognised by their content, up to
    5 MB; a drawing only as an image. Sharing beyond the case team needs the matching consent. Nothing is stored
    when anything is refused."""
    case, plan = _open_child_plan(actor, case_id, plan_id)
    refuse_unknown(data, TOOL_FIELDS)
    errors: dict[str, list[str]] = {}
    tool = _text(data.get("tool"))
    if tool not in ChildTool.values:
        errors["tool"] = [_("Choose a tool from the list.")]
    title = _text(data.get("title"))
    if not title:
        errors["title"] = [_("Give the attachment a title.")]
    sharing = _text(data.get("sharing")) or Sharing.CASE_TEAM
    child = _collect(errors, child_of_case, case, data.get("child"))
    _collect(errors, _refuse_sharing_without_consent, case, sharing)
    checked = _collect(errors, check_file, filename, content)
    if checked and tool == ChildTool.DRAWING and checked[1] not in IMAGE_TYPES:
        errors.setdefault("file", []).append(_("A drawing is added as a picture: a PNG or JPEG file."))
    if errors:
        raise ValidationError(errors)
    clean_name, content_type = checked
    return save_child_tool(actor, case, plan, child, tool, title, sharing, clean_name, content_type, content)


@logs_refusal
@transaction.atomic
def change_tool_sharing(actor, case_id, plan_id, attachment_id, sharing: str) -> ChildToolAttachment:
    """Share a child's tool more or less widely: wider than the case team only with consent in force today."""
    case, plan = _open_child_plan(actor, case_id, plan_id)
    attachment = _lock_in_plan(ChildToolAttachment, case, plan, attachment_id)
    sharing = _text(sharing)
    _refuse_sharing_without_consent(case, sharing)
    attachment.sharing = sharing
    attachment.save(update_fields=["sharing"])
    log_access(actor, Action.UPDATE, [child_tool_access(attachment)], detail=f"sharing: {sharing}")
    return attachment


@logs_refusal
@transaction.atomic
def remove_tool(actor, case_id, plan_id, attachment_id) -> None:
    case, plan = _open_child_plan(actor, case_id, plan_id)
    attachment = _lock_in_plan(ChildToolAttachment, case, plan, attachment_id)
    log_access(actor, Action.DELETE, [child_tool_access(attachment)])
    attachment.delete()


# ---- wishes ------------------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def add_wish(actor, case_id, plan_id, data: dict) -> ChildWish:
    """A child's wish, in their words, after their other wishes."""
    case, plan = _open_child_plan(actor, case_id, plan_id)
    refuse_unknown(data, WISH_FIELDS)
    errors: dict[str, list[str]] = {}
    child = _collect(errors, child_of_case, case, data.get("child"))
    text = _text(data.get("text"))
    if not text:
        errors["text"] = [_("Write the wish in the child's words.")]
    sharing = _text(data.get("sharing")) or Sharing.CASE_TEAM
    _collect(errors, _refuse_sharing_without_consent, case, sharing)
    if errors:
        raise ValidationError(errors)
    last = ChildWish.objects.filter(plan=plan, child=child).order_by("-order").values_list("order", flat=True).first()
    wish = ChildWish(
        plan=plan,
        case=case,
        organisation=case.organisation,
        child=child,
        text=text,
        order=(last or 0) + 1,
        sharing=sharing,
        created_by=actor.user,
    )
    validate(wish, exclude=["plan", "case", "organisation", "child", "created_by"])
    wish.save()
    log_access(actor, Action.CREATE, [wish_access(wish), person_access(child)])
    return wish


@logs_refusal
@transaction.atomic
def remove_wish(actor, case_id, plan_id, wish_id) -> None:
    case, plan = _open_child_plan(actor, case_id, plan_id)
    wish = _lock_in_plan(ChildWish, case, plan, wish_id)
    log_access(actor, Action.DELETE, [wish_access(wish)])
    wish.delete()


# ---- assent ------------------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def record_assent(actor, case_id, plan_id, data: dict) -> ChildAssent:
    """What the child says to the plan version presented. ``edition`` is the version the child was asked about:
    refused when the plan has moved to another version since, and once per child and version."""
    case, plan = _open_child_plan(actor, case_id, plan_id)
    refuse_unknown(data, ASSENT_FIELDS)
    errors: dict[str, list[str]] = {}
    child = _collect(errors, child_of_case, case, data.get("child"))
    try:
        edition = int(data.get("edition") or plan.edition)
    except (TypeError, ValueError):
        edition = None
    if edition != plan.edition:
        errors["edition"] = [
            _("The plan is at version %(now)s now: ask the child about this version and record that.")
            % {"now": plan.edition}
        ]
    assent = _text(data.get("assent"))
    if assent not in Assent.values:
        errors["assent"] = [_("Choose what the child says: yes, partly or no.")]
    words = _text(data.get("in_own_words"))
    if not words:
        errors["in_own_words"] = [_("Write down what the child said, in the child's own words.")]
    heard_by = _text(data.get("heard_by"))
    if not heard_by:
        errors["heard_by"] = [_("Say how the child was heard, and by whom.")]
    heard_on = _collect(errors, _date, data.get("heard_on") or timezone.localdate(), "heard_on")
    if child is not None and ChildAssent.objects.filter(plan=plan, edition=plan.edition, child=child).exists():
        errors.setdefault("child", []).append(
            _("What %(name)s says to version %(edition)s of the plan is recorded already.")
            % {"name": child.full_name, "edition": plan.edition}
        )
    if errors:
        raise ValidationError(errors)
    record = ChildAssent(
        plan=plan,
        case=case,
        organisation=case.organisation,
        edition=plan.edition,
        child=child,
        assent=assent,
        in_own_words=words,
        heard_by=heard_by,
        heard_on=heard_on,
        recorded_by=actor.user,
    )
    validate(record, exclude=["plan", "case", "organisation", "child", "recorded_by"])
    record.save()
    log_access(actor, Action.CREATE, [assent_access(record), person_access(child)])
    return record


# ---- a child advocate or trusted person --------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def record_advocate(actor, case_id, data: dict) -> ChildAdvocate:
    """A child advocate or trusted person at a child's side: a person of the case (not the child, not one marked
    unsafe on the network map) or a name, not both."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    refuse_unknown(data, ADVOCATE_FIELDS)
    errors: dict[str, list[str]] = {}
    child = _collect(errors, child_of_case, case, data.get("child"))
    person = _collect(errors, person_of_case, case, data.get("person"), "person")
    name = _text(data.get("name"))
    if person is None and not name and "person" not in errors:
        errors["person"] = [_("Choose a person of the case, or write the name of the advocate or trusted person.")]
    elif person is not None and name:
        errors["name"] = [_("Choose a person of the case or write a name, not both.")]
    if person is not None and child is not None and person.pk == child.pk:
        errors["person"] = [_("The child cannot be their own advocate.")]
    if person is not None and unsafe.unsafe_ids([person.pk]):
        errors["person"] = [
            _("%(name)s is marked unsafe on the network map and cannot stand at the child's side.")
            % {"name": person.full_name}
        ]
    role = _text(data.get("role"))
    if role not in AdvocateRole.values:
        errors["role"] = [_("Choose a child advocate or a trusted person.")]
    since = _collect(errors, _date, data.get("since") or timezone.localdate(), "since")
    if errors:
        raise ValidationError(errors)
    advocate = ChildAdvocate(
        case=case,
        organisation=case.organisation,
        child=child,
        person=person,
        name=name,
        role=role,
        since=since,
        recorded_by=actor.user,
    )
    validate(advocate, exclude=["case", "organisation", "child", "person", "recorded_by"])
    advocate.save()
    accesses = [advocate_access(advocate), person_access(child)] + ([person_access(person)] if person else [])
    log_access(actor, Action.CREATE, accesses)
    return advocate


# ---- the organisation's age --------------------------------------------------------------------------------


def advocate_age(organisation_id) -> int:
    found = ChildVoiceSettings.objects.filter(organisation_id=organisation_id).values_list(
        "advocate_under_age", flat=True
    )
    return found.first() or ChildVoiceSettings.DEFAULT_AGE


@transaction.atomic
def save_settings(actor, organisation_id, age) -> ChildVoiceSettings:
    """Under which age (1 to 18) a child invited to a meeting gets a child advocate or trusted person; set by the
    organisation's team leads and functional administrators."""
    if organisation_id not in {o.pk for o in settings_organisations(actor.user)}:
        raise PermissionDenied(_("Only team leads and functional administrators set this."))
    row, _created = ChildVoiceSettings.objects.select_for_update().get_or_create(organisation_id=organisation_id)
    row.advocate_under_age = age
    validate(row, exclude=["organisation"])
    row.save()
    log_access(
        actor,
        Action.UPDATE,
        [Access("child_voice_settings", row.pk, None, organisation_id)],
        detail=f"advocate under {age}",
    )
    return row
