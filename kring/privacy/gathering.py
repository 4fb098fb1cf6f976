"""What a subject access answer holds for one person record, and what it holds back (decisions 175, 205, 206).

``gather`` reads, for the request's person, every section of the answer as lists of plain dicts (the JSON files of
the zip and the PDF are both made from them). Every record it could show passes ``Answer.include``: a record the
privacy officer withheld by hand goes to the withheld list instead, with the officer's reason; a record a rule of
this module keeps back (another person's privacy, their safety, the team's working notes) is recorded the same way,
by kind and id, never its content. What is shown is logged, once per record, with the action asked for (an export
when the answer is produced or downloaded, a view when the officer's page lists what it holds).

It reads through the models directly, not through the case team's queries: the privacy officer holds no case role
(decision 173). The number of queries does not grow with the number of records: every section is one or two
queries, related rows come with ``select_related``/``prefetch_related``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kring.accounts.models import Membership, User
from kring.audit.models import RECORD_TYPE_LABELS, AccessLogEntry, Action
from kring.audit.services import Access, case_access, log_access, person_access
from kring.cases.confidentiality import hidden_fields, kept_from
from kring.cases.models import CapabilityJudgement, Consent, NoContact, ParentalAuthority, Person
from kring.core.errors import NotFound
from kring.documents.models import Document, DocumentVersion
from kring.journal.models import EntryHiddenFrom, JournalEntry, Visibility
from kring.journal.queries import entries_visible_to_person
from kring.measures.models import Administration, OutcomeMeasurement, Registration
from kring.meetings.models import Attendance, InformationContribution, Invitation, Meeting
from kring.methods.catalogue import catalogue
from kring.network.models import Relationship, SystemTie
from kring.plans.models import Agreement, DangerStatement, SafetyMapEntry, SafetyNetworkMember, SafetyScaleRating
from kring.trajectories.choices import AbandonmentReason, ClosureReason, Status
from kring.trajectories.due_phases import phase_name
from kring.trajectories.models import Trajectory, TrajectoryEvent

from . import queries
from .models import SubjectAccessRequest, WithheldItem, WithheldReason

# The sections of the answer, in the order of the PDF; each is one JSON file in the zip.
SECTIONS = (
    "person",
    "case",
    "journal",
    "documents",
    "network",
    "no_contact",
    "trajectories",
    "meetings",
    "meeting_information",
    "agreements",
    "safety",
    "measures",
    "consents",
    "capability",
    "parental_authority",
    "access_log",
    "withheld",
)

# The kinds of record the answer shows one by one, and so may withhold one by one (the person's own details and
# the case are always shown). Labels the access log does not know yet are named here.
KIND_LABELS = {
    **RECORD_TYPE_LABELS,
    "parental_authority": gettext_lazy("parental authority"),
    "capability_judgement": gettext_lazy("judgement of capability"),
    "no_contact": gettext_lazy("no-contact mark"),
    "registration": gettext_lazy("registration"),
    "outcome_measurement": gettext_lazy("outcome measurement"),
    "instrument_administration": gettext_lazy("questionnaire filled in"),
}
WITHHOLDABLE = (
    "journal_entry",
    "document",
    "relationship",
    "system_tie",
    "no_contact",
    "trajectory",
    "invitation",
    "meeting",
    "meeting_information",
    "agreement",
    "safety_map_entry",
    "danger_statement",
    "safety_rating",
    "safety_network_member",
    "registration",
    "outcome_measurement",
    "instrument_administration",
    "consent",
    "capability_judgement",
    "parental_authority",
)


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, _("record")))


@dataclass
class Item:
    """One record the answer shows: its kind and id, and a short label for the officer's list (no content)."""

    kind: str
    record_id: int
    label: str

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


@dataclass
class Held:
    """One record the answer leaves out, why, and whether the officer chose it (else a rule did)."""

    kind: str
    record_id: int
    reason: str
    explanation: str = ""
    by_officer: bool = False


@dataclass
class Export:
    request: SubjectAccessRequest
    person: Person
    sections: dict = field(default_factory=dict)
    files: list = field(default_factory=list)  # (name in the zip, DocumentVersion)
    items: list[Item] = field(default_factory=list)
    withheld: list[Held] = field(default_factory=list)

    def withheld_by_reason(self) -> list[tuple[str, int]]:
        """(reason in words, how many), for the letter: how much is held back and why, not which."""
        counts: dict[str, int] = defaultdict(int)
        for held in self.withheld:
            counts[held.reason] += 1
        return [(str(WithheldReason(reason).label), n) for reason, n in sorted(counts.items())]


class Answer:
    """Collects the rows of the sections, the records shown (for the log) and the records held back."""

    def __init__(self, export: Export, chosen: dict[tuple[str, str], WithheldItem]):
        self.export = export
        self.case = export.person.case
        self.chosen = chosen
        self.accesses: list[Access] = []

    def include(self, section: str, kind: str, record_id: int, row: dict, label: str) -> bool:
        """Show ``row`` in ``section`` unless the officer withheld the record; True when shown."""
        mark = self.chosen.get((kind, str(record_id)))
        if mark is not None:
            self.export.withheld.append(Held(kind, record_id, mark.reason, mark.explanation, by_officer=True))
            return False
        self.export.sections.setdefault(section, []).append(row)
        self.export.items.append(Item(kind, record_id, label))
        self.accesses.append(Access(kind, record_id, self.case.pk, self.case.organisation_id))
        return True

    def hold(self, kind: str, record_id: int, reason: str) -> None:
        """A rule keeps this record back; the officer's own reason, when they gave one, is kept instead."""
        mark = self.chosen.get((kind, str(record_id)))
        if mark is not None:
            self.export.withheld.append(Held(kind, record_id, mark.reason, mark.explanation, by_officer=True))
        else:
            self.export.withheld.append(Held(kind, record_id, reason))


def _day(value):
    return value.isoformat() if value else None


def _moment(value):
    return timezone.localtime(value).isoformat(timespec="minutes") if value else None


def _label_day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value).date()
    return value.isoformat()


def _role_labels(user_ids, organisation_id) -> dict:
    roles: dict = {}
    for membership in Membership.objects.filter(user_id__in=user_ids, organisation_id=organisation_id):
        roles.setdefault(membership.user_id, []).append(str(membership.get_role_display()))
    return {user_id: ", ".join(sorted(labels)) for user_id, labels in roles.items()}


def _method_name(code: str) -> str:
    definition = catalogue().get(code or "")
    if definition is None:
        return code or ""
    return definition.name.en if (get_language() or "nl").startswith("en") else definition.name.nl


def _normal_place(text: str) -> str:
    return " ".join((text or "").casefold().replace(",", " ").split())


def gather(actor, record: SubjectAccessRequest, action: str = Action.EXPORT) -> Export:
    """Everything the answer shows for the request's person, and what it holds back; each record shown is logged
    with ``action`` (``Action.EXPORT`` for the answer itself, ``Action.VIEW`` for the officer's page)."""
    person = record.person
    if person is None:
        raise NotFound()
    case = person.case
    export = Export(record, person, sections={name: [] for name in SECTIONS})
    chosen = {
        (m.record_type, m.record_id): m for m in WithheldItem.objects.filter(request=record, marked_by__isnull=False)
    }
    answer = Answer(export, chosen)
    answer.accesses += [case_access(case), person_access(person)]
    _own_details(answer, person, case)
    _journal(answer, person, case)
    _documents(answer, export, person, case)
    _network(answer, person, case)
    _no_contact(answer, person, case)
    trajectories = list(
        Trajectory.objects.filter(case=case)
        .prefetch_related(Prefetch("events", queryset=TrajectoryEvent.objects.order_by("on", "at", "id")))
        .order_by("offered_on", "id")
    )
    _trajectories(answer, trajectories)
    _meetings(answer, person, case)
    _agreements(answer, person, case)
    _safety(answer, person, case)
    _measures(answer, person, case, trajectories)
    _consents(answer, person, case)
    export.sections["access_log"] = _access_log(case, answer.accesses)
    export.sections["withheld"] = [
        {
            "record_type": kind_label(h.kind),
            "record_id": str(h.record_id),
            "reason": str(WithheldReason(h.reason).label),
        }
        for h in export.withheld
    ]
    log_access(actor, action, [queries.request_access(record), *answer.accesses], detail="subject access")
    return export


def _own_details(answer: Answer, person, case) -> None:
    s = answer.export.sections
    s["person"] = [
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": _day(person.birth_date),
            "relation": person.relation,
            "address": person.address,
            "phone": person.phone,
            "email": person.email,
            "language": person.language,
        }
    ]
    s["case"] = [
        {
            "number": case.number,
            "referral_date": _day(case.referral_date),
            "status": str(case.get_status_display()),
            "closed_on": _day(case.closed_on),
            "organisation": case.organisation.name,
        }
    ]


def _journal(answer: Answer, person, case) -> None:
    """What may be shown to this person; the rest of the case's current entries held back (decision 175)."""
    visible = list(entries_visible_to_person(person))
    visible_ids = {e.pk for e in visible}
    author_roles = _role_labels({e.author_id for e in visible}, case.organisation_id)
    for e in visible:
        row = {
            "date": _moment(e.occurred_at),
            "category": str(e.get_category_display()),
            "written_by_role": author_roles.get(e.author_id, _("case worker")),
            "text": e.text,
        }
        answer.include(
            "journal", "journal_entry", e.pk, row, f"{e.get_category_display()}, {_label_day(e.occurred_at)}"
        )
    hidden_ids = set(EntryHiddenFrom.objects.filter(person=person).values_list("entry_id", flat=True))
    for entry_id, visibility in (
        JournalEntry.objects.filter(case=case, corrected_by__isnull=True)
        .exclude(pk__in=visible_ids)
        .values_list("pk", "visibility")
    ):
        reason = (
            WithheldReason.OTHERS_PRIVACY
            if entry_id in hidden_ids or visibility == Visibility.FAMILY
            else WithheldReason.TEAM_ONLY
        )
        answer.hold("journal_entry", entry_id, reason)


def _documents(answer: Answer, export: Export, person, case) -> None:
    """Documents about this person, with the file of their latest version."""
    documents = Document.objects.filter(case=case, person=person).order_by("created_at", "id")
    documents = documents.prefetch_related(
        Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"), to_attr="newest_first")
    )
    for document in documents:
        latest = document.newest_first[0] if document.newest_first else None
        name = f"documents/{document.pk}-{latest.filename}" if latest else ""
        row = {
            "title": document.title,
            "kind": str(document.get_kind_display()),
            "date": _day(timezone.localdate(document.created_at)),
            "file": name,
            "sha256": latest.sha256 if latest else "",
        }
        if answer.include("documents", "document", document.pk, row, document.title) and latest:
            export.files.append((name, latest))


def _network(answer: Answer, person, case) -> None:
    """The person's own relationships and ties; the other person is named: how they relate to the subject is
    information about the subject (decision 175)."""
    relationships = (
        Relationship.objects.filter(case=case)
        .filter(Q(person_a=person) | Q(person_b=person))
        .select_related("person_a", "person_b")
        .order_by("id")
    )
    for r in relationships:
        other = r.person_b if r.person_a_id == person.pk else r.person_a
        row = {
            "relationship": str(r.get_kind_display()),
            "with": other.full_name,
            "from": _day(r.start),
            "until": _day(r.end),
        }
        answer.include("network", "relationship", r.pk, row, f"{r.get_kind_display()}: {other.full_name}")
    for t in SystemTie.objects.filter(case=case, person=person).order_by("id"):
        row = {
            "relationship": str(t.get_system_kind_display()),
            "with": t.system,
            "from": _day(t.start),
            "until": _day(t.end),
        }
        answer.include("network", "system_tie", t.pk, row, f"{t.get_system_kind_display()}: {t.system}")


def _no_contact(answer: Answer, person, case) -> None:
    """A mark that keeps someone from the subject is about the subject and shown; a mark that keeps another person
    from the subject is held back: it would tell them whom the case protects from them (decision 205)."""
    marks = (
        NoContact.objects.filter(case=case).filter(Q(person=person) | Q(kept_from=person)).select_related("kept_from")
    )
    for mark in marks.order_by("id"):
        if mark.person_id != person.pk:
            answer.hold("no_contact", mark.pk, WithheldReason.OTHERS_SAFETY)
            continue
        row = {"kept_from": mark.kept_from.full_name, "from": _day(mark.since), "reason": mark.reason}
        answer.include("no_contact", "no_contact", mark.pk, row, mark.kept_from.full_name)


def _event_text(event, phases_followed) -> str:
    reasons = {**dict(AbandonmentReason.choices), **dict(ClosureReason.choices)}
    if event.kind == "status":
        text = str(Status(event.to_value).label) if event.to_value in Status.values else _("status changed")
    elif event.kind == "phase":
        text = _("phase: %(phase)s") % {"phase": phase_name(phases_followed, event.to_value)} if event.to_value else ""
        text = text or _("phase ended")
    elif event.kind == "coordinator":
        text = _("coordinator allocated")
    else:
        text = _("step in the trajectory")
    if event.reason in reasons:
        text += f" ({reasons[event.reason]})"
    return str(text)


def _trajectories(answer: Answer, trajectories) -> None:
    """The methods applied to the person's case and their history: the family's care, so every person of it."""
    for t in trajectories:
        row = {
            "method": _method_name(t.method_code),
            "status": str(t.get_status_display()),
            "offered_on": _day(t.offered_on),
            "closed_on": _day(t.closed_on or t.abandoned_on),
            "history": [
                {"date": _day(e.on), "what": _event_text(e, t.phases_followed), "note": e.note} for e in t.events.all()
            ],
        }
        answer.include("trajectories", "trajectory", t.pk, row, f"{row['method']}, {_label_day(t.offered_on)}")


def _meetings(answer: Answer, person, case) -> None:
    """The meetings the person was invited to (their invitation, answer and presence per part) and, for the central
    person, every meeting of the case; the information shared equally with all participants of those meetings.
    Information not (yet) shared with everyone stays with the team. A meeting place that is the protected address
    of someone the person is kept from, or a confidential address, is left out (decision 187)."""
    kept = kept_from(case, person)
    protected = {
        _normal_place(p.address)
        for p in Person.objects.filter(case=case).exclude(address="").exclude(pk=person.pk)
        if "address" in hidden_fields(p) or p.pk in kept
    }

    def place(text):
        return "" if _normal_place(text) in protected else text

    invitations = list(
        Invitation.objects.filter(case=case, person=person)
        .select_related("meeting", "represented_by_person")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("part").order_by("part__order"))
        )
        .order_by("meeting__starts_at", "id")
    )
    invited = {i.meeting_id: i for i in invitations}
    meetings = [i.meeting for i in invitations]
    if person.is_central:
        meetings += list(Meeting.objects.filter(case=case).exclude(pk__in=list(invited)).order_by("starts_at", "id"))
        meetings.sort(key=lambda m: (m.starts_at, m.pk))
    shown = set()
    for meeting in meetings:
        invitation = invited.get(meeting.pk)
        row = {
            "meeting": str(meeting.get_kind_display()),
            "date": _moment(meeting.starts_at),
            "place": place(meeting.place),
            "status": str(meeting.get_status_display()),
            "note": meeting.note,
            "invited": invitation is not None,
        }
        if invitation is not None:
            row.update(
                {
                    "role": str(invitation.get_role_display()),
                    "invited_on": _day(invitation.invited_on),
                    "answer": str(invitation.get_answer_display()),
                    "takes_part": str(invitation.get_mode_display()) if invitation.mode else "",
                    "represented_by": invitation.represented_by,
                    "preparation_contact_on": _day(invitation.preparation_contact_on),
                    "preparation_note": invitation.preparation_note,
                    "present_in": [str(a.part.name) for a in invitation.attendance.all() if a.present],
                }
            )
        label = f"{meeting.get_kind_display()}, {_label_day(meeting.starts_at)}"
        kind, record_id = ("invitation", invitation.pk) if invitation else ("meeting", meeting.pk)
        if answer.include("meetings", kind, record_id, row, label):
            shown.add(meeting.pk)
            if invitation is not None:
                answer.accesses += [
                    Access("attendance", a.pk, case.pk, case.organisation_id) for a in invitation.attendance.all()
                ]
    contributions = InformationContribution.objects.filter(meeting_id__in=sorted(shown)).select_related("meeting")
    for c in contributions.order_by("meeting__starts_at", "created_at", "id"):
        if not c.shared_with_all:
            answer.hold("meeting_information", c.pk, WithheldReason.TEAM_ONLY)
            continue
        row = {
            "meeting": str(c.meeting.get_kind_display()),
            "date": _day(c.shared_on),
            "author": c.author_organisation or _("a professional"),
            "text": c.text,
        }
        label = f"{c.meeting.get_kind_display()}, {_label_day(c.shared_on)}"
        answer.include("meeting_information", "meeting_information", c.pk, row, label)


def _agreements(answer: Answer, person, case) -> None:
    agreements = (
        Agreement.objects.filter(case=case)
        .filter(Q(owner_person=person) | Q(backup_person=person) | Q(checker_person=person))
        .select_related("plan")
        .order_by("plan_id", "order")
    )
    for a in agreements:
        row = {
            "plan": str(a.plan.get_plan_type_display()),
            "plan_status": str(a.plan.get_status_display()),
            "what": a.what,
            "role": ", ".join(
                str(label)
                for who, label in (
                    (a.owner_person_id, _("carries it out")),
                    (a.backup_person_id, _("stands in")),
                    (a.checker_person_id, _("checks")),
                )
                if who == person.pk
            ),
            "from": _day(a.starts_on),
            "until": _day(a.ends_on),
            "status": str(a.get_status_display()),
        }
        answer.include("agreements", "agreement", a.pk, row, a.what[:80])


def _safety(answer: Answer, person, case) -> None:
    """Signs of Safety on the case's plans: the map and the danger statements are written with the family and
    concern the whole case, so every person of it sees them; a scale rating is shown when the person gave it or a
    professional did, another person's rating is that person's view and held back; the person's own place in the
    safety network (decision 205)."""
    for e in SafetyMapEntry.objects.filter(case=case).select_related("plan").order_by("plan_id", "column", "id"):
        row = {
            "part": str(e._meta.verbose_name),
            "plan": str(e.plan.get_plan_type_display()),
            "heading": str(e.get_column_display()),
            "text": e.text,
            "who_agrees": e.who_agrees,
            "who_disagrees": e.who_disagrees,
        }
        answer.include("safety", "safety_map_entry", e.pk, row, f"{e.get_column_display()}: {e.text[:60]}")
    for d in DangerStatement.objects.filter(case=case).select_related("plan").order_by("plan_id", "order", "id"):
        row = {
            "part": str(d._meta.verbose_name),
            "plan": str(d.plan.get_plan_type_display()),
            "heading": _("danger statement and safety goal"),
            "text": d.statement,
            "safety_goal": d.safety_goal,
        }
        answer.include("safety", "danger_statement", d.pk, row, d.statement[:60])
    ratings = SafetyScaleRating.objects.filter(case=case).select_related("plan", "person").order_by("rated_on", "id")
    for r in ratings:
        if r.person_id is not None and r.person_id != person.pk:
            answer.hold("safety_rating", r.pk, WithheldReason.OTHERS_PRIVACY)
            continue
        row = {
            "part": str(r._meta.verbose_name),
            "plan": str(r.plan.get_plan_type_display()),
            "heading": _("your own rating") if r.person_id else _("rating by a professional"),
            "date": _day(r.rated_on),
            "score": r.score,
            "text": r.note,
        }
        answer.include("safety", "safety_rating", r.pk, row, f"{r.score}/10, {_label_day(r.rated_on)}")
    for m in SafetyNetworkMember.objects.filter(case=case, person=person).select_related("plan").order_by("id"):
        row = {
            "part": str(m._meta.verbose_name),
            "plan": str(m.plan.get_plan_type_display()),
            "heading": _("your place in the safety network"),
            "text": m.role,
        }
        answer.include("safety", "safety_network_member", m.pk, row, m.role or str(m._meta.verbose_name))


def _measures(answer: Answer, person, case, trajectories) -> None:
    """The registration and outcome measurements of the case's trajectories when the person is its central person;
    questionnaires the person answered, and for the central person those nobody else answered. A questionnaire
    another person of the case answered is their account and held back (decision 205)."""
    methods = {t.pk: _method_name(t.method_code) for t in trajectories}
    if person.is_central:
        for reg in Registration.objects.filter(case=case).order_by("trajectory_id"):
            row = {
                "what": str(reg._meta.verbose_name),
                "trajectory": methods.get(reg.trajectory_id, ""),
                "date": _day(reg.snapshot_on),
                "details": {
                    str(Registration._meta.get_field(name).verbose_name): str(getattr(reg, f"get_{name}_display")())
                    for name in (
                        "household",
                        "high_conflict_divorce",
                        "migration_background",
                        "parent_intellectual_disability",
                        "ending",
                    )
                    if getattr(reg, name)
                },
            }
            answer.include("measures", "registration", reg.pk, row, f"{row['what']}: {row['trajectory']}")
        for m in OutcomeMeasurement.objects.filter(case=case).order_by("trajectory_id", "moment"):
            row = {
                "what": str(m._meta.verbose_name),
                "trajectory": methods.get(m.trajectory_id, ""),
                "moment": str(m.get_moment_display()),
                "date": _day(m.measured_on),
                "details": {
                    str(OutcomeMeasurement._meta.get_field(name).verbose_name): str(getattr(m, f"get_{name}_display")())
                    for name in (
                        "informant",
                        "maltreatment_indication",
                        "risk_level",
                        "professional_care",
                        "supervision_order",
                        "placement",
                        "returned_home",
                        "without_help",
                    )
                },
                "note": m.note,
            }
            answer.include("measures", "outcome_measurement", m.pk, row, f"{row['what']}: {row['moment']}")
    administrations = Administration.objects.filter(case=case)
    if not person.is_central:
        administrations = administrations.filter(respondent_person=person)
    for a in administrations.order_by("trajectory_id", "moment", "administered_on", "id"):
        if a.respondent_person_id not in (None, person.pk):
            answer.hold("instrument_administration", a.pk, WithheldReason.OTHERS_PRIVACY)
            continue
        row = {
            "what": str(a._meta.verbose_name),
            "instrument": a.instrument_code,
            "trajectory": methods.get(a.trajectory_id, ""),
            "moment": str(a.get_moment_display()),
            "respondent": str(a.get_respondent_display()),
            "date": _day(a.administered_on),
            "answers": a.responses,
            "scores": a.scores or a.totals,
        }
        answer.include("measures", "instrument_administration", a.pk, row, f"{a.instrument_code}, {row['moment']}")


def _consents(answer: Answer, person, case) -> None:
    """The person's consents; for the central person also the consents others gave for their care; the judgements
    of their capability; the parental authority records where they are child or holder."""
    consents = Consent.objects.filter(case=case).select_related("person").order_by("given_on", "id")
    if not person.is_central:
        consents = consents.filter(person=person)
    for c in consents:
        row = {
            "purpose": str(c.get_purpose_display()),
            "given_by": c.person.full_name,
            "given_on": _day(c.given_on),
            "withdrawn_on": _day(c.withdrawn_on),
        }
        answer.include("consents", "consent", c.pk, row, f"{c.get_purpose_display()}, {c.person.full_name}")
    for j in CapabilityJudgement.objects.filter(case=case, child=person).order_by("judged_on", "id"):
        row = {
            "purpose": str(j.get_purpose_display()),
            "capable": _("yes") if j.capable else _("no"),
            "judged_on": _day(j.judged_on),
            "reasons": j.note,
        }
        answer.include("capability", "capability_judgement", j.pk, row, str(j.get_purpose_display()))
    authorities = ParentalAuthority.objects.filter(Q(child=person) | Q(holder=person)).select_related("child", "holder")
    for a in authorities.order_by("starts_on", "id"):
        row = {
            "child": a.child.full_name,
            "holder": a.holder.full_name if a.holder else a.institution,
            "kind": str(a.get_kind_display()),
            "from": _day(a.starts_on),
            "until": _day(a.ended_on),
        }
        answer.include("parental_authority", "parental_authority", a.pk, row, f"{row['holder']}: {row['child']}")


def _access_log(case, accesses) -> list[dict]:
    """Who read or changed the records in the answer (not the refused attempts): name, role, when, what, action."""
    own = {(a.record_type, str(a.record_id)) for a in accesses}
    kinds = sorted({kind for kind, _id in own})
    entries = [
        e
        for e in AccessLogEntry.objects.filter(case_id=case.pk, record_type__in=kinds)
        .exclude(action=Action.DENIED)
        .order_by("at", "id")
        if (e.record_type, e.record_id) in own
    ]
    users = {u.pk: u for u in User.objects.filter(pk__in={e.user_id for e in entries if e.user_id})}
    roles = _role_labels(set(users), case.organisation_id)
    rows = []
    for e in entries:
        user = users.get(e.user_id or 0)
        rows.append(
            {
                "when": _moment(e.at),
                "who": (f"{user.first_name} {user.last_name}".strip() or user.email) if user else "Kring",
                "role": roles.get(e.user_id, ""),
                "record": kind_label(e.record_type),
                "action": str(Action(e.action).label),
            }
        )
    return rows
