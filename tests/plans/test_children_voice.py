"""The child's voice on a plan of any method (issue 16 item 4): the child's tools, a drawing, wishes and assent on a
familienetwerkberaad plan; a child advocate prompted under the organisation's age; the one-page plan for children
in three bands; uploads checked; outsiders refused and logged. Services and pages, real database, no mocks."""

import datetime
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kring.audit.models import AccessLogEntry
from kring.core.errors import NotFound
from kring.meetings import services as meeting_services
from kring.meetings.models import Invitation
from kring.plans import core
from kring.plans import services as plan_services
from kring.plans.choices import Sharing
from kring.plans.models import ChildAdvocate, ChildAssent, ChildToolAttachment, ChildVoiceSettings, ChildWish
from kring.plans.voice import queries as voice_queries
from kring.plans.voice import services as voice
from tests.factories import actor

pytestmark = pytest.mark.django_db

D = datetime.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def url(name, p, **kwargs):
    return reverse(f"plans:{name}", kwargs={"pk": p.case.pk, "trajectory_id": p.trajectory.pk, **kwargs})


def tool_url(name, p, attachment_id):
    return reverse(f"plans:{name}", kwargs={"pk": p.case.pk, "attachment_id": attachment_id})


def aged(person, years, days=30):
    today = timezone.localdate()
    person.birth_date = today.replace(year=today.year - years) - datetime.timedelta(days=days)
    person.save()
    return person


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages))


def add_tool(p, content=PNG, name="tekening.png", tool="drawing", **data):
    return voice.add_tool(
        p.coordinator,
        p.case.pk,
        p.plan.pk,
        {"tool": tool, "title": "Mijn tekening", "child": p.mw.child.pk, "sharing": "case_team", **data},
        name,
        content,
    )


# ---- the child's tools on a familienetwerkberaad plan --------------------------------------------------------


def test_the_childs_tools_hang_on_a_plan_that_is_not_signs_of_safety(pw, client):
    assert pw.plan.plan_type != "safety_plan" and pw.trajectory.method_code == "fnb"
    houses = add_tool(pw, PDF, "drie huizen.pdf", tool="three_houses", title="De drie huizen")
    drawing = add_tool(pw, JPEG, "tekening.jpg")
    words = add_tool(pw, PNG, "woorden.png", tool="words_and_pictures", title="Woorden en plaatjes")
    assert {a.tool for a in ChildToolAttachment.objects.filter(plan=pw.plan)} == {
        "three_houses",
        "drawing",
        "words_and_pictures",
    }
    client.force_login(pw.world.a.case_worker)
    page = client.get(url("voice", pw)).content.decode()
    for record in (houses, drawing, words):
        assert url("safety_attachment", pw, attachment_id=record.pk) in page
    # The plan page leads to the child's page, on every method.
    assert url("voice", pw) in client.get(url("plan", pw)).content.decode()
    download = client.get(url("safety_attachment", pw, attachment_id=drawing.pk))
    assert download.status_code == 200 and download.content == JPEG
    assert download["Content-Disposition"].startswith("attachment;")
    assert AccessLogEntry.objects.filter(record_type="child_tool", record_id=str(drawing.pk), action="export").exists()


def test_a_drawing_is_uploaded_through_the_page(pw, client):
    client.force_login(pw.world.a.coordinator)
    form = {"tool": "drawing", "title": "Ons huis", "child": pw.mw.child.pk, "sharing": "case_team"}
    response = client.post(
        url("voice_tool_add", pw), dict(form, file=SimpleUploadedFile("huis.png", PNG, content_type="image/png"))
    )
    assert response.status_code == 302
    stored = ChildToolAttachment.objects.get(plan=pw.plan)
    assert stored.tool == "drawing" and bytes(stored.content) == PNG and stored.content_type == "image/png"


@pytest.mark.parametrize(
    "content, name, field",
    [
        (EXE, "tekening.png", "file"),  # a program dressed up as a picture
        (PDF, "tekening.pdf", "file"),  # a drawing is a picture, not a PDF
        (PNG, "tekening.exe", "file"),  # the name does not match the content
        (b"", "leeg.png", "file"),
    ],
)
def test_uploads_that_are_not_a_picture_are_refused_and_nothing_is_stored(pw, content, name, field):
    with pytest.raises(ValidationError) as refused:
        add_tool(pw, content, name)
    assert field in refused.value.message_dict
    assert not ChildToolAttachment.objects.exists()


def test_an_executable_disguised_as_png_is_refused_on_the_page(pw, client):
    client.force_login(pw.world.a.coordinator)
    form = {"tool": "drawing", "title": "Ons huis", "child": pw.mw.child.pk, "sharing": "case_team"}
    response = client.post(
        url("voice_tool_add", pw), dict(form, file=SimpleUploadedFile("huis.png", EXE, content_type="image/png"))
    )
    assert response.status_code == 400
    assert "de inhoud van dit bestand is geen van die drie" in response.content.decode()
    assert not ChildToolAttachment.objects.exists()


def test_sharing_beyond_the_case_team_needs_consent(pw):
    with pytest.raises(ValidationError) as refused:
        add_tool(pw, sharing=Sharing.NETWORK)
    assert "sharing" in refused.value.message_dict
    with pytest.raises(ValidationError):
        voice.add_wish(
            pw.coordinator, pw.case.pk, pw.plan.pk, {"child": pw.mw.child.pk, "text": "X", "sharing": "family"}
        )
    assert not ChildToolAttachment.objects.exists() and not ChildWish.objects.exists()


def test_an_adult_is_not_a_child(pw):
    with pytest.raises(ValidationError) as refused:
        voice.add_wish(pw.coordinator, pw.case.pk, pw.plan.pk, {"child": aged(pw.mw.oma, 70).pk, "text": "Rust"})
    assert "child" in refused.value.message_dict


# ---- wishes ------------------------------------------------------------------------------------------------


def test_wishes_in_the_childs_order(pw, client):
    child = pw.mw.child.pk
    first = voice.add_wish(pw.coordinator, pw.case.pk, pw.plan.pk, {"child": child, "text": "Bij oma logeren"})
    second = voice.add_wish(pw.coordinator, pw.case.pk, pw.plan.pk, {"child": child, "text": "Naar voetbal"})
    assert (first.order, second.order) == (1, 2)
    with pytest.raises(ValidationError) as refused:
        voice.add_wish(pw.coordinator, pw.case.pk, pw.plan.pk, {"child": child, "text": "  "})
    assert "text" in refused.value.message_dict
    client.force_login(pw.world.a.case_worker)
    page = client.get(url("voice", pw)).content.decode()
    assert page.index("Bij oma logeren") < page.index("Naar voetbal")
    response = client.post(url("voice_wish_remove", pw), {"wish": first.pk})
    assert response.status_code == 302
    assert list(ChildWish.objects.values_list("text", flat=True)) == ["Naar voetbal"]


# ---- assent per plan version -------------------------------------------------------------------------------


def assent(p, **data):
    values = {
        "child": p.mw.child.pk,
        "edition": p.plan.edition,
        "assent": "partly",
        "in_own_words": "Ik wil wel bij oma slapen, maar niet elke week.",
        "heard_by": "Thuis, met een tekening, door de coördinator",
        "heard_on": timezone.localdate(),
        **data,
    }
    return voice.record_assent(p.coordinator, p.case.pk, p.plan.pk, values)


def test_assent_is_recorded_once_per_child_and_plan_version(accepted):
    p = accepted
    first = assent(p)
    assert (first.edition, first.assent) == (1, "partly")
    with pytest.raises(ValidationError) as again:
        assent(p, assent="yes")
    assert "child" in again.value.message_dict
    # A new version of the plan asks the child again; an answer about the old version is refused.
    p.plan.refresh_from_db()
    plan_services.start_new_edition(p.coordinator, p.case.pk, p.plan.pk, p.plan.version)
    p.plan.refresh_from_db()
    assert p.plan.edition == 2
    with pytest.raises(ValidationError) as stale:
        assent(p, edition=1)
    assert "edition" in stale.value.message_dict
    second = assent(p, assent="yes", in_own_words="Nu is het goed.")
    assert list(ChildAssent.objects.order_by("edition").values_list("edition", "assent")) == [
        (1, "partly"),
        (2, "yes"),
    ]
    assert AccessLogEntry.objects.filter(record_type="child_assent", record_id=str(second.pk), action="create").exists()


@pytest.mark.parametrize(
    "field, value", [("assent", "maybe"), ("in_own_words", ""), ("heard_by", " "), ("heard_on", "2999-01-01")]
)
def test_assent_needs_an_answer_the_childs_words_and_how_heard(pw, field, value):
    with pytest.raises(ValidationError) as refused:
        assent(pw, **{field: value})
    assert field in refused.value.message_dict
    assert not ChildAssent.objects.exists()


def test_assent_through_the_page(pw, client):
    client.force_login(pw.world.a.coordinator)
    form = {
        "child": pw.mw.child.pk,
        "edition": pw.plan.edition,
        "assent": "no",
        "in_own_words": "Ik wil thuis blijven.",
        "heard_by": "Door de kindbehartiger",
        "heard_on": timezone.localdate().isoformat(),
    }
    assert client.post(url("voice_assent_add", pw), form).status_code == 302
    page = client.get(url("voice", pw)).content.decode()
    assert "Ik wil thuis blijven." in page and "Door de kindbehartiger" in page


# ---- a child advocate, prompted under the organisation's age -------------------------------------------------


def test_a_child_under_the_age_gets_an_advocate_prompt_and_not_above(pw, client):
    p = pw
    child = aged(p.mw.child, 10)
    meeting_services.invite_from_map(p.worker, p.case.pk, p.mw.meeting.pk)
    assert Invitation.objects.filter(person=child).exists()
    assert [prompt.person for prompt in voice_queries.advocate_prompts(p.case)] == [child]
    client.force_login(p.world.a.case_worker)
    meeting_pages = (
        reverse("meetings:detail", args=[p.case.pk, p.mw.meeting.pk]),
        reverse("meetings:invite", args=[p.case.pk, p.mw.meeting.pk]),
    )
    for page_url in (url("plan", p), url("voice", p), *meeting_pages):
        page = client.get(page_url).content.decode()
        assert 'id="advocate-prompt"' in page, page_url
        assert url("voice_advocate_add", p) in page
    # The organisation sets the age: under 10 this child of 10 is not prompted.
    ChildVoiceSettings.objects.create(organisation=p.case.organisation, advocate_under_age=10)
    assert voice_queries.advocate_prompts(p.case) == []
    assert 'id="advocate-prompt"' not in client.get(url("plan", p)).content.decode()
    # Back to 12, and a trusted person recorded: the prompt is gone.
    ChildVoiceSettings.objects.update(advocate_under_age=12)
    assert voice_queries.advocate_prompts(p.case)
    voice.record_advocate(
        p.worker,
        p.case.pk,
        {"child": child.pk, "person": p.mw.oma.pk, "role": "trusted_person", "since": timezone.localdate()},
    )
    assert voice_queries.advocate_prompts(p.case) == []
    page = client.get(url("voice", p)).content.decode()
    assert 'id="advocate-prompt"' not in page and "Oma Jansen" in page


def test_a_child_of_twelve_is_not_prompted_by_default(pw):
    aged(pw.mw.child, 12)
    meeting_services.invite_from_map(pw.worker, pw.case.pk, pw.mw.meeting.pk)
    assert voice_queries.advocate_prompts(pw.case) == []
    assert voice.advocate_age(pw.case.organisation_id) == ChildVoiceSettings.DEFAULT_AGE == 12


def test_an_advocate_is_a_person_of_the_case_or_a_name_never_someone_unsafe(pw):
    p, child = pw, pw.mw.child.pk
    base = {"child": child, "role": "advocate", "since": timezone.localdate()}
    for data, field in (
        ({}, "person"),
        ({"person": p.mw.oma.pk, "name": "Karin"}, "name"),
        ({"person": p.mw.kees.pk}, "person"),
        ({"person": child}, "person"),
        ({"name": "Karin", "role": "friend"}, "role"),
    ):
        with pytest.raises(ValidationError) as refused:
            voice.record_advocate(p.worker, p.case.pk, {**base, **data})
        assert field in refused.value.message_dict, data
    assert not ChildAdvocate.objects.exists()
    named = voice.record_advocate(p.worker, p.case.pk, {**base, "name": "Karin de Kinderbehartiger"})
    assert named.who == "Karin de Kinderbehartiger"


def test_the_organisation_sets_the_age(pw, client):
    client.force_login(pw.world.a.lead)
    target = reverse("child_voice:settings")
    assert client.get(target).status_code == 200
    bad = client.post(target, {"organisation": pw.case.organisation_id, "advocate_under_age": 40})
    assert bad.status_code == 400 and not ChildVoiceSettings.objects.exists()
    assert client.post(target, {"organisation": pw.case.organisation_id, "advocate_under_age": 14}).status_code == 302
    assert voice.advocate_age(pw.case.organisation_id) == 14
    client.force_login(pw.world.a.case_worker)
    assert client.get(target).status_code == 403
    with pytest.raises(PermissionDenied):
        voice.save_settings(actor(pw.world.a.case_worker), pw.case.organisation_id, 10)


# ---- the one-page plan for children, per band ----------------------------------------------------------------


@pytest.mark.parametrize(
    "years, band, says, lang",
    [
        (6, "under_8", "lees haar voor", "nl"),
        (6, "under_8", "read this page aloud", "en"),
        (10, "8_11", "dit is het plan", "nl"),
        (13, "12_up", "Als het niet goed gaat", "nl"),
        (13, "12_up", "When things are not going well", "en"),
    ],
)
def test_the_plan_for_children_in_words_for_their_age(pw, client, years, band, says, lang):
    child = aged(pw.mw.child, years)
    voice.add_wish(pw.coordinator, pw.case.pk, pw.plan.pk, {"child": child.pk, "text": "Bij oma logeren"})
    client.force_login(pw.world.a.case_worker)
    response = client.get(url("document_child", pw) + f"?child={child.pk}&lang={lang}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert band in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert says in text
    assert child.first_name in text and "Bij oma logeren" in text and "112" in text
    assert "Oma" in text and "Sam slaapt bij oma" in text  # the agreements, by first name
    assert pw.case.number not in text
    aloud = ("lees haar voor", "read this page aloud")
    assert any(words in text for words in aloud) == (band == "under_8")
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    assert AccessLogEntry.objects.filter(
        record_type="person", record_id=str(child.pk), action="export", user=pw.world.a.case_worker
    ).exists()


def test_the_plan_for_children_by_band_and_not_for_an_adult(pw, client):
    client.force_login(pw.world.a.case_worker)
    for band, words in (("under_8", "lees haar voor"), ("8_11", "Wie doet wat?"), ("12_up", "De afspraken")):
        assert words in pdf_text(client.get(url("document_child", pw) + f"?band={band}").content)
    assert client.get(url("document_child", pw) + f"?child={aged(pw.mw.oma, 70).pk}").status_code == 404
    assert client.get(url("document_child", pw) + "?child=abc").status_code == 404


def test_bands(pw):
    assert [core.child_band(age) for age in (None, 3, 7, 8, 11, 12, 17)] == [
        "8_11",
        "under_8",
        "under_8",
        "8_11",
        "8_11",
        "12_up",
        "12_up",
    ]


# ---- access control ----------------------------------------------------------------------------------------


def test_outsiders_get_404_and_are_logged(pw, client):
    drawing = add_tool(pw)
    client.force_login(pw.world.b.case_worker)
    for target in (
        url("voice", pw),
        url("voice_wish_add", pw),
        url("voice_assent_add", pw),
        url("voice_advocate_add", pw),
        url("voice_tool_add", pw),
        url("document_child", pw),
        url("safety_attachment", pw, attachment_id=drawing.pk),
    ):
        assert client.get(target).status_code == 404, target
    assert client.post(tool_url("voice_tool_remove", pw, drawing.pk)).status_code == 404
    assert client.post(url("voice_wish_remove", pw), {"wish": 1}).status_code == 404
    assert ChildToolAttachment.objects.filter(pk=drawing.pk).exists()
    assert AccessLogEntry.objects.filter(user=pw.world.b.case_worker, action="denied").count() >= 9
    with pytest.raises(NotFound):
        voice.add_wish(actor(pw.world.b.case_worker), pw.case.pk, pw.plan.pk, {"child": pw.mw.child.pk, "text": "X"})
    assert not ChildWish.objects.exists()
