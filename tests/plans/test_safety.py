"""Signs of Safety on a safety plan: the three-column map, danger statements paired with safety goals, safety
scaling 0-10 drawn as a chart, the safety network (never someone unsafe on the network map), the rules, and the
child's own tools as attachments shared only as the consent allows. Services and pages; no mocks."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from kring.audit.models import AccessLogEntry
from kring.cases import services as case_services
from kring.cases.choices import CaseRole, ConsentPurpose
from kring.cases.models import CaseTeamMember
from kring.core.errors import NotFound, StaleEdit
from kring.network import services as network_services
from kring.plans import services
from kring.plans.choices import MAP_GROUPS, MapColumn, Sharing
from kring.plans.models import (
    ChildToolAttachment,
    DangerStatement,
    SafetyMapEntry,
    SafetyNetworkMember,
    SafetyScaleRating,
)
from kring.plans.safety import queries as safety_queries
from kring.plans.safety import services as safety
from kring.trajectories import services as trajectory_services
from tests.factories import actor, make_case, make_parent

pytestmark = pytest.mark.django_db

D = datetime.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def _person(world, first, last, **member):
    return network_services.add_network_person(
        actor(world.a.case_worker), world.a.case.pk, {"first_name": first, "last_name": last}, member
    )


@pytest.fixture
def sos(world):
    """world.a.case with a Signs of Safety trajectory (led by the own case worker, so no coordinator) in
    preparation, its safety plan, and on the network map a safe grandmother and an unsafe uncle."""
    case, worker = world.a.case, actor(world.a.case_worker)
    t = trajectory_services.offer_trajectory(worker, case.pk, "signs_of_safety", D(2026, 2, 1))
    t = trajectory_services.change_status(worker, case.pk, t.pk, "accepted", D(2026, 2, 2))
    t = trajectory_services.change_status(
        worker, case.pk, t.pk, "preparing", D(2026, 2, 3), note="Veiligheidsplan gestart voor het eerste beraad."
    )
    plan = services.start_plan(worker, case.pk, t.pk)
    assert plan.plan_type == "safety_plan"
    oma = _person(world, "Oma", "Jansen", domain="family", safety="safe", may_invite=True)
    kees = _person(world, "Kees", "Onveilig", domain="family", safety="unsafe", may_invite=False)
    child = case.persons.order_by("pk").first()
    return SimpleNamespace(
        world=world, case=case, worker=worker, trajectory=t, plan=plan, oma=oma, kees=kees, child=child
    )


def _normalised(response, path):
    """A page without what differs between two renderings: CSRF tokens and the requested path."""
    body = re.sub(r"[A-Za-z0-9]{64}", "TOKEN", response.content.decode())
    return body.replace(path, "URL")


def url(name, s, **kwargs):
    return reverse(f"plans:{name}", kwargs={"pk": s.case.pk, "trajectory_id": s.trajectory.pk, **kwargs})


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def consent(s, purpose):
    return case_services.record_consent(
        s.worker,
        s.case.pk,
        {
            "person": make_parent(s.case).pk,  # the child is too young to consent alone
            "purpose": purpose,
            "given_on": timezone.localdate() - datetime.timedelta(days=3),
        },
    )


def attachment(s, content=PNG, name="huis.png", sharing=Sharing.CASE_TEAM):
    return safety.add_attachment(
        s.worker,
        s.case.pk,
        s.plan.pk,
        {"tool": "three_houses", "title": "De drie huizen van Sam", "child": s.child.pk, "sharing": sharing},
        name,
        content,
    )


# ---- the map -----------------------------------------------------------------------------------------------


def test_map_lines_in_each_column_with_who_agrees(sos):
    for column in MapColumn.values:
        safety.add_map_entry(
            sos.worker,
            sos.case.pk,
            sos.plan.pk,
            {"column": column, "text": f"Regel {column}", "who_agrees": "mama", "who_disagrees": "papa"},
        )
    assert set(SafetyMapEntry.objects.values_list("column", flat=True)) == set(MapColumn.values)
    # Every column belongs to exactly one of the three questions.
    assert sorted(c for _title, columns in MAP_GROUPS for c in columns) == sorted(MapColumn.values)
    with pytest.raises(ValidationError) as excinfo:
        safety.add_map_entry(sos.worker, sos.case.pk, sos.plan.pk, {"column": "gossip", "text": "x"})
    assert "column" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        safety.add_map_entry(sos.worker, sos.case.pk, sos.plan.pk, {"column": "harm", "text": "   "})
    assert "text" in errors_of(excinfo)
    assert SafetyMapEntry.objects.count() == len(MapColumn.values)
    entry = SafetyMapEntry.objects.get(column="harm")
    safety.update_map_entry(sos.worker, sos.case.pk, sos.plan.pk, entry.pk, {"who_disagrees": ""}, entry.version)
    entry.refresh_from_db()
    assert (entry.who_disagrees, entry.version) == ("", 2)
    safety.remove_map_entry(sos.worker, sos.case.pk, sos.plan.pk, entry.pk, entry.version)
    assert not SafetyMapEntry.objects.filter(pk=entry.pk).exists()
    assert AccessLogEntry.objects.filter(
        record_type="safety_map_entry", record_id=str(entry.pk), action="delete"
    ).exists()


# ---- danger statements -------------------------------------------------------------------------------------


def test_a_danger_statement_is_always_paired_with_its_safety_goal(sos):
    add = safety.add_danger_statement
    with pytest.raises(ValidationError) as excinfo:
        add(sos.worker, sos.case.pk, sos.plan.pk, {"statement": "Sam kan gewond raken bij ruzies.", "safety_goal": ""})
    assert errors_of(excinfo) == {
        "safety_goal": [
            gettext(
                "A danger statement is always paired with its safety goal: say what has to be true for the children to "
                "be safe."
            )
        ]
    }
    with pytest.raises(ValidationError) as excinfo:
        add(sos.worker, sos.case.pk, sos.plan.pk, {"safety_goal": "Sam is veilig als er ruzie is."})
    assert list(errors_of(excinfo)) == ["statement"]
    assert not DangerStatement.objects.exists()
    first = add(
        sos.worker,
        sos.case.pk,
        sos.plan.pk,
        {"statement": "Sam kan gewond raken bij ruzies.", "safety_goal": "Sam is veilig als er ruzie is."},
    )
    second = add(
        sos.worker,
        sos.case.pk,
        sos.plan.pk,
        {"statement": "Sam gaat niet naar school.", "safety_goal": "Sam gaat elke dag naar school."},
    )
    assert (first.order, second.order) == (1, 2)
    # Changing one may not break the pair either.
    with pytest.raises(ValidationError) as excinfo:
        safety.update_danger_statement(
            sos.worker, sos.case.pk, sos.plan.pk, first.pk, {"safety_goal": " "}, first.version
        )
    assert "safety_goal" in errors_of(excinfo)
    first.refresh_from_db()
    assert (first.safety_goal, first.version) == ("Sam is veilig als er ruzie is.", 1)


def test_danger_statement_page_refuses_a_statement_without_goal(client, sos):
    client.force_login(sos.world.a.case_worker)
    assert client.get(url("safety_statement_add", sos)).status_code == 200
    response = client.post(url("safety_statement_add", sos), {"statement": "Sam kan gewond raken.", "safety_goal": ""})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert not DangerStatement.objects.exists()
    response = client.post(
        url("safety_statement_add", sos), {"statement": "Sam kan gewond raken.", "safety_goal": "Sam is veilig."}
    )
    assert response.status_code == 302 and response.url.startswith(url("safety", sos))
    assert DangerStatement.objects.get().safety_goal == "Sam is veilig."


# ---- safety scaling ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [11, -1, "abc", "5.5", 5.5, "", None, True, "1e3", 10**30])
def test_a_score_outside_0_to_10_or_garbage_is_refused(sos, score):
    with pytest.raises(ValidationError) as excinfo:
        safety.record_rating(
            sos.worker, sos.case.pk, sos.plan.pk, {"person": sos.oma.pk, "score": score, "rated_on": D(2026, 3, 1)}
        )
    assert "score" in errors_of(excinfo)
    assert not SafetyScaleRating.objects.exists()


def test_rating_by_a_person_or_a_professional_not_both_not_in_the_future(sos):
    record = safety.record_rating
    other = make_case(sos.world.a.team, persons=1).persons.get()
    bad = [
        ({"person": sos.oma.pk, "rater_user": sos.world.a.case_worker.pk, "score": 4}, "person"),
        ({"score": 4}, "person"),
        ({"person": other.pk, "score": 4}, "person"),  # a person of another case
        ({"rater_user": sos.world.a.other_worker.pk, "score": 4}, "rater_user"),  # not on the case team
        ({"person": sos.oma.pk, "score": 4, "rated_on": timezone.localdate() + datetime.timedelta(days=1)}, "rated_on"),
        ({"person": sos.oma.pk, "score": 4, "rated_on": "gisteren"}, "rated_on"),
        ({"person": sos.oma.pk, "score": 4, "review": 999999}, "review"),
    ]
    for data, field in bad:
        with pytest.raises(ValidationError) as excinfo:
            record(sos.worker, sos.case.pk, sos.plan.pk, data)
        assert field in errors_of(excinfo), data
    assert not SafetyScaleRating.objects.exists()
    by_oma = record(
        sos.worker, sos.case.pk, sos.plan.pk, {"person": sos.oma.pk, "score": "3", "rated_on": "2026-03-01"}
    )
    by_worker = record(
        sos.worker,
        sos.case.pk,
        sos.plan.pk,
        {"rater_user": sos.world.a.case_worker.pk, "score": 0, "rated_on": D(2026, 3, 1)},
    )
    assert (by_oma.score, by_oma.rated_on, by_worker.score) == (3, D(2026, 3, 1), 0)
    assert by_worker.rater == str(sos.world.a.case_worker)
    series = safety_queries.rating_series(SafetyScaleRating.objects.all())
    assert series == {"Oma Jansen": [(D(2026, 3, 1), 3.0)], str(sos.world.a.case_worker): [(D(2026, 3, 1), 0.0)]}


def test_rating_page_refuses_bad_scores_next_to_the_field(client, sos):
    client.force_login(sos.world.a.case_worker)
    page = client.get(url("safety_rating_add", sos)).content.decode()
    assert f'value="p{sos.oma.pk}"' in page and f'value="u{sos.world.a.case_worker.pk}"' in page
    for score in ("11", "-1", "zeven", "7.5"):
        response = client.post(
            url("safety_rating_add", sos), {"rater": f"p{sos.oma.pk}", "score": score, "rated_on": "2026-03-01"}
        )
        assert response.status_code == 400, score
        assert 'id="id_score_error"' in response.content.decode() or "errorlist" in response.content.decode()
    response = client.post(
        url("safety_rating_add", sos), {"rater": f"p{sos.oma.pk}", "score": "4", "rated_on": "2999-01-01"}
    )
    assert response.status_code == 400
    assert not SafetyScaleRating.objects.exists()
    response = client.post(
        url("safety_rating_add", sos), {"rater": f"p{sos.oma.pk}", "score": "4", "rated_on": "2026-03-01"}
    )
    assert response.status_code == 302
    assert SafetyScaleRating.objects.get().person == sos.oma


# ---- the safety network ------------------------------------------------------------------------------------


def test_an_unsafe_person_is_refused_from_the_safety_network(sos):
    with pytest.raises(ValidationError) as excinfo:
        safety.add_network_member(sos.worker, sos.case.pk, sos.plan.pk, sos.kees.pk, "vangt de kinderen op")
    assert "person" in errors_of(excinfo)
    assert sos.kees.full_name in errors_of(excinfo)["person"][0]
    assert not SafetyNetworkMember.objects.exists()
    member = safety.add_network_member(sos.worker, sos.case.pk, sos.plan.pk, sos.oma.pk, "belt elke avond")
    assert (member.person, member.role) == (sos.oma, "belt elke avond")
    with pytest.raises(ValidationError):  # once only
        safety.add_network_member(sos.worker, sos.case.pk, sos.plan.pk, sos.oma.pk)
    other = make_case(sos.world.a.team, persons=1).persons.get()
    with pytest.raises(ValidationError):
        safety.add_network_member(sos.worker, sos.case.pk, sos.plan.pk, other.pk)
    assert SafetyNetworkMember.objects.count() == 1


def test_network_page_refuses_the_unsafe_person_with_a_message(client, sos):
    client.force_login(sos.world.a.case_worker)
    response = client.post(url("safety_network_add", sos), {"person": sos.kees.pk, "role": "x"})
    assert response.status_code == 400 and sos.kees.full_name in response.content.decode()
    assert not SafetyNetworkMember.objects.exists()
    response = client.post(url("safety_network_add", sos), {"person": sos.oma.pk, "role": "belt elke avond"})
    assert response.status_code == 302 and SafetyNetworkMember.objects.get().person == sos.oma


# ---- the child's own tools ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,content",
    [
        ("tekening.png", EXE),
        ("tekening.png", HTML),
        ("tekening.pdf", HTML),
        ("tekening.jpg", b"GIF89a" + b"\0" * 20),
        ("tekening.png", JPEG),  # the name says PNG, the content is JPEG
        ("tekening.exe", PNG),
        ("tekening.html", PNG),
        ("tekening", PNG),
        ("tekening.png", b""),
    ],
)
def test_only_pdf_png_and_jpeg_by_their_content(sos, name, content):
    with pytest.raises(ValidationError) as excinfo:
        attachment(sos, content=content, name=name)
    assert list(errors_of(excinfo)) == ["file"]
    assert not ChildToolAttachment.objects.exists()


def test_accepted_files_keep_the_sniffed_type(sos):
    png = attachment(sos, PNG, "../../etc/Huis.PNG")
    jpeg = attachment(sos, JPEG, "foto.jpeg")
    pdf = attachment(sos, PDF, "woorden en plaatjes.pdf")
    assert [(a.filename, a.content_type, a.size) for a in (png, jpeg, pdf)] == [
        ("Huis.png", "image/png", len(PNG)),
        ("foto.jpeg", "image/jpeg", len(JPEG)),
        ("woorden en plaatjes.pdf", "application/pdf", len(PDF)),
    ]
    assert bytes(ChildToolAttachment.objects.get(pk=png.pk).content) == PNG


def test_size_limit_of_5_mb(sos):
    limit = safety.MAX_ATTACHMENT_BYTES
    assert limit == 5 * 1024 * 1024
    with pytest.raises(ValidationError) as excinfo:
        attachment(sos, PNG + b"\0" * (limit - len(PNG) + 1))
    assert "file" in errors_of(excinfo)
    assert not ChildToolAttachment.objects.exists()
    assert attachment(sos, PNG + b"\0" * (limit - len(PNG))).size == limit


def test_upload_page_refuses_a_disguised_file_and_a_large_one(client, sos):
    client.force_login(sos.world.a.case_worker)
    form = {"tool": "three_houses", "title": "Drie huizen", "child": sos.child.pk, "sharing": "case_team"}
    response = client.post(
        url("safety_attachment_add", sos),
        dict(form, file=SimpleUploadedFile("huis.png", HTML, content_type="image/png")),
    )
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    big = SimpleUploadedFile("huis.png", PNG + b"\0" * safety.MAX_ATTACHMENT_BYTES, content_type="image/png")
    response = client.post(url("safety_attachment_add", sos), dict(form, file=big))
    assert response.status_code == 400
    assert not ChildToolAttachment.objects.exists()
    response = client.post(
        url("safety_attachment_add", sos),
        dict(form, file=SimpleUploadedFile("huis.png", PNG, content_type="text/html")),
    )
    assert response.status_code == 302
    assert ChildToolAttachment.objects.get().content_type == "image/png"


def test_sharing_needs_consent_in_force(sos):
    with pytest.raises(ValidationError) as excinfo:  # already when adding
        attachment(sos, sharing=Sharing.FAMILY)
    assert "sharing" in errors_of(excinfo)
    assert not ChildToolAttachment.objects.exists()
    tool = attachment(sos)
    for sharing, purpose in (
        (Sharing.FAMILY, ConsentPurpose.SHARE_PLAN),
        (Sharing.NETWORK, ConsentPurpose.SHARE_WITH_NETWORK),
    ):
        with pytest.raises(ValidationError) as excinfo:
            safety.change_sharing(sos.worker, sos.case.pk, sos.plan.pk, tool.pk, sharing)
        assert str(purpose.label) in errors_of(excinfo)["sharing"][0]  # names the missing consent
        tool.refresh_from_db()
        assert tool.sharing == Sharing.CASE_TEAM
    share_plan = consent(sos, ConsentPurpose.SHARE_PLAN)
    safety.change_sharing(sos.worker, sos.case.pk, sos.plan.pk, tool.pk, Sharing.FAMILY)
    tool.refresh_from_db()
    assert tool.sharing == Sharing.FAMILY
    with pytest.raises(ValidationError):  # the plan consent does not cover the network
        safety.change_sharing(sos.worker, sos.case.pk, sos.plan.pk, tool.pk, Sharing.NETWORK)
    consent(sos, ConsentPurpose.SHARE_WITH_NETWORK)
    safety.change_sharing(sos.worker, sos.case.pk, sos.plan.pk, tool.pk, Sharing.NETWORK)
    safety.change_sharing(sos.worker, sos.case.pk, sos.plan.pk, tool.pk, Sharing.CASE_TEAM)
    # The family withdraws its consent to share the plan: a new sharing change to the parents is refused.
    case_services.withdraw_consent(sos.worker, sos.case.pk, share_plan.pk, timezone.localdate(), share_plan.version)
    with pytest.raises(ValidationError) as excinfo:
        safety.change_sharing(sos.worker, sos.case.pk, sos.plan.pk, tool.pk, Sharing.FAMILY)
    assert "sharing" in errors_of(excinfo)
    tool.refresh_from_db()
    assert tool.sharing == Sharing.CASE_TEAM
    assert list(
        AccessLogEntry.objects.filter(record_type="child_tool", record_id=str(tool.pk), action="update")
        .order_by("id")
        .values_list("detail", flat=True)
    ) == ["sharing: family", "sharing: network", "sharing: case_team"]


def test_sharing_page_refuses_without_consent_and_warns_after_withdrawal(client, sos):
    tool = attachment(sos)
    client.force_login(sos.world.a.case_worker)
    target = url("safety_attachment_sharing", sos, attachment_id=tool.pk)
    assert client.post(target, {"sharing": "family"}).status_code == 302
    tool.refresh_from_db()
    assert tool.sharing == Sharing.CASE_TEAM
    given = consent(sos, ConsentPurpose.SHARE_PLAN)
    client.post(target, {"sharing": "family"})
    tool.refresh_from_db()
    assert tool.sharing == Sharing.FAMILY
    page = client.get(url("safety", sos)).content.decode()
    warning = gettext("The consent for this sharing is no longer in force.")
    assert warning not in page
    case_services.withdraw_consent(sos.worker, sos.case.pk, given.pk, timezone.localdate(), given.version)
    assert warning in client.get(url("safety", sos)).content.decode()


# ---- download ----------------------------------------------------------------------------------------------


def test_download_is_an_attachment_logged_and_hidden_from_outsiders(client, sos):
    tool = attachment(sos, PDF, "woorden.pdf")
    target = url("safety_attachment", sos, attachment_id=tool.pk)
    client.force_login(sos.world.a.case_worker)
    response = client.get(target)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "woorden.pdf" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AccessLogEntry.objects.filter(
        record_type="child_tool", record_id=str(tool.pk), action="export", user=sos.world.a.case_worker
    ).exists()
    # An outsider (same organisation, not on the case team) gets the same 404 as for a missing file; logged.
    client.force_login(sos.world.a.other_worker)
    outsider = client.get(target)
    missing_url = url("safety_attachment", sos, attachment_id=tool.pk + 1000)
    missing = client.get(missing_url)
    assert outsider.status_code == missing.status_code == 404
    assert _normalised(outsider, target) == _normalised(missing, missing_url)
    assert AccessLogEntry.objects.filter(user=sos.world.a.other_worker, action="denied", case_id=sos.case.pk).exists()
    assert not AccessLogEntry.objects.filter(user=sos.world.a.other_worker, action="export").exists()
    with pytest.raises(NotFound):
        safety_queries.attachment_download(actor(sos.world.b.case_worker), sos.case.pk, sos.trajectory.pk, tool.pk)


def test_outsiders_get_404_on_the_pages_and_co_workers_cannot_change(client, sos):
    client.force_login(sos.world.a.other_worker)
    for name in ("safety", "safety_entry_add", "safety_rating_add", "safety_attachment_add"):
        assert client.get(url(name, sos)).status_code == 404, name
    assert client.post(url("safety_entry_add", sos), {"column": "harm", "text": "x"}).status_code == 404
    assert not SafetyMapEntry.objects.exists()
    co_worker = sos.world.a.other_worker
    CaseTeamMember.objects.create(
        case=sos.case, organisation=sos.case.organisation, user=co_worker, role=CaseRole.CO_WORKER
    )
    client.force_login(co_worker)
    response = client.get(url("safety", sos))
    assert response.status_code == 200 and url("safety_entry_add", sos) not in response.content.decode()
    with pytest.raises(PermissionDenied):
        safety.add_map_entry(actor(co_worker), sos.case.pk, sos.plan.pk, {"column": "harm", "text": "x"})
    assert AccessLogEntry.objects.filter(user=co_worker, action="denied").exists()
    assert not SafetyMapEntry.objects.exists()


# ---- only on a safety plan ---------------------------------------------------------------------------------


def test_the_records_are_refused_on_a_plan_that_is_not_a_safety_plan(client, pw):
    plan = pw.plan
    assert plan.plan_type != "safety_plan"
    worker, case = pw.worker, pw.case
    oma = pw.mw.oma
    calls = [
        lambda: safety.add_map_entry(worker, case.pk, plan.pk, {"column": "harm", "text": "x"}),
        lambda: safety.add_danger_statement(worker, case.pk, plan.pk, {"statement": "x", "safety_goal": "y"}),
        lambda: safety.record_rating(worker, case.pk, plan.pk, {"person": oma.pk, "score": 5}),
        lambda: safety.add_network_member(worker, case.pk, plan.pk, oma.pk),
        lambda: safety.add_attachment(
            worker, case.pk, plan.pk, {"tool": "three_houses", "title": "t", "child": pw.mw.child.pk}, "a.png", PNG
        ),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as excinfo:
            call()
        assert "__all__" in errors_of(excinfo)
    for model in (SafetyMapEntry, DangerStatement, SafetyScaleRating, SafetyNetworkMember, ChildToolAttachment):
        assert not model.objects.exists()
    client.force_login(pw.world.a.case_worker)
    target = reverse("plans:safety_entry_add", kwargs={"pk": case.pk, "trajectory_id": pw.trajectory.pk})
    assert client.get(target).status_code == 404
    page = reverse("plans:safety", kwargs={"pk": case.pk, "trajectory_id": pw.trajectory.pk})
    response = client.get(page)
    assert response.status_code == 200 and "<svg" not in response.content.decode()


# ---- the page ----------------------------------------------------------------------------------------------


def test_the_safety_page_shows_map_statements_chart_network_rules_and_tools(client, sos):
    w = sos.worker
    safety.add_map_entry(
        w,
        sos.case.pk,
        sos.plan.pk,
        {"column": "harm", "text": "Sam had een blauwe plek.", "who_agrees": "mama", "who_disagrees": "papa"},
    )
    safety.add_map_entry(w, sos.case.pk, sos.plan.pk, {"column": "existing_safety", "text": "Oma haalt Sam op."})
    safety.add_danger_statement(
        w, sos.case.pk, sos.plan.pk, {"statement": "Sam kan gewond raken.", "safety_goal": "Sam is veilig bij ruzie."}
    )
    for day, score in ((D(2026, 3, 1), 2), (D(2026, 4, 1), 5), (D(2026, 5, 1), 7)):
        safety.record_rating(w, sos.case.pk, sos.plan.pk, {"person": sos.oma.pk, "score": score, "rated_on": day})
    safety.record_rating(
        w, sos.case.pk, sos.plan.pk, {"rater_user": sos.world.a.case_worker.pk, "score": 3, "rated_on": D(2026, 3, 2)}
    )
    safety.add_network_member(w, sos.case.pk, sos.plan.pk, sos.oma.pk, "belt elke avond")
    rule = services.add_agreement(
        w,
        sos.case.pk,
        sos.plan.pk,
        {
            "what": "Papa en mama maken geen ruzie waar Sam bij is.",
            "owner_professional": "gezin",
            "checker_user": sos.world.a.case_worker.pk,
            "is_safety": True,
        },
    )
    tool = attachment(sos)
    client.force_login(sos.world.a.case_worker)
    before = AccessLogEntry.objects.count()
    response = client.get(url("safety", sos))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page and "<polyline" in page
    assert "Oma Jansen: 01-03-2026 2, 01-04-2026 5, 01-05-2026 7" in page  # the chart's text alternative
    for title, _columns in MAP_GROUPS:
        assert str(title) in page
    for text in (
        "Sam had een blauwe plek.",
        "Oma haalt Sam op.",
        "Sam kan gewond raken.",
        "Sam is veilig bij ruzie.",
        "belt elke avond",
        rule.what,
        tool.title,
    ):
        assert text in page
    assert page.index("Sam kan gewond raken.") < page.index("Sam is veilig bij ruzie.")
    assert url("safety_attachment", sos, attachment_id=tool.pk) in page
    assert url("safety_entry_add", sos) in page and url("safety_rating_add", sos) in page
    logged = AccessLogEntry.objects.filter(pk__gt=0).order_by("id")[before:]
    types = {e.record_type for e in logged}
    assert {
        "safety_map_entry",
        "danger_statement",
        "safety_rating",
        "safety_network_member",
        "child_tool",
        "person",
    } <= types


def test_an_unsafe_mark_after_joining_is_shown(client, sos):
    member = safety.add_network_member(sos.worker, sos.case.pk, sos.plan.pk, sos.oma.pk)
    client.force_login(sos.world.a.case_worker)
    warning = gettext("now marked unsafe on the network map")
    assert warning not in client.get(url("safety", sos)).content.decode()
    from kring.network.models import NetworkMember

    NetworkMember.objects.filter(person=member.person).update(safety="unsafe")
    assert warning in client.get(url("safety", sos)).content.decode()


# ---- stale edits -------------------------------------------------------------------------------------------


def test_a_stale_edit_is_refused_with_409_and_nothing_changes(client, sos):
    entry = safety.add_map_entry(sos.worker, sos.case.pk, sos.plan.pk, {"column": "harm", "text": "Eerste versie"})
    client.force_login(sos.world.a.case_worker)
    target = url("safety_entry", sos, entry_id=entry.pk)
    assert client.get(target).status_code == 200
    form = {"column": "harm", "text": "Tweede versie", "who_agrees": "", "who_disagrees": "", "version": entry.version}
    assert client.post(target, form).status_code == 302
    response = client.post(target, dict(form, text="Derde versie"))  # opened at the old version
    assert response.status_code == 409
    assert "Tweede versie" in response.content.decode()  # what changed in between is shown
    entry.refresh_from_db()
    assert (entry.text, entry.version) == ("Tweede versie", 2)
    # A removal from an old page is refused too.
    response = client.post(url("safety_entry_remove", sos, entry_id=entry.pk), {"version": 1})
    assert response.status_code == 409 and SafetyMapEntry.objects.filter(pk=entry.pk).exists()
    statement = safety.add_danger_statement(
        sos.worker, sos.case.pk, sos.plan.pk, {"statement": "Gevaar", "safety_goal": "Doel"}
    )
    safety.update_danger_statement(
        sos.worker, sos.case.pk, sos.plan.pk, statement.pk, {"safety_goal": "Nieuw doel"}, statement.version
    )
    with pytest.raises(StaleEdit):
        safety.update_danger_statement(
            sos.worker, sos.case.pk, sos.plan.pk, statement.pk, {"statement": "Ander gevaar"}, statement.version
        )
    statement.refresh_from_db()
    assert (statement.statement, statement.safety_goal) == ("Gevaar", "Nieuw doel")
