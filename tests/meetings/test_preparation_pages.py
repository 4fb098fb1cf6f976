"""The preparation page "Voorbereiding" and its API: the case team prepares, others get 404 (or 403 on the case
team without an editing role), each refusal logged; the same validation as the services; attendance mode on the
attendance page; the video link on the meeting form."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kring.audit.models import AccessLogEntry
from kring.cases.choices import CaseRole
from kring.cases.models import CaseTeamMember
from kring.meetings import services
from kring.meetings.models import (
    Attendance,
    ConferenceQuestion,
    InterpreterBooking,
    MeetingCost,
    MeetingLogistics,
    PreparationVisit,
)
from tests.factories import make_api_token

pytestmark = pytest.mark.django_db


def page(mw):
    return reverse("meetings:preparation", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk})


def api(mw, rest=""):
    return f"/api/v1/cases/{mw.case.pk}/meetings/{mw.meeting.pk}/preparation/{rest}"


def api_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def test_the_meeting_page_leads_to_the_preparation_and_the_page_shows_it_in_dutch(client, mw):
    mw.oma.interpreter_needed, mw.oma.language = True, "Arabisch"
    mw.oma.save()
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, [mw.oma.pk])
    client.force_login(mw.world.a.coordinator)
    detail = client.get(reverse("meetings:detail", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk}))
    assert page(mw) in detail.content.decode()
    response = client.get(page(mw))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Voorbereiding" in text and "De vraag van de bijeenkomst" in text
    assert "Nodig voor:" in text and "Oma Jansen (Arabisch)" in text
    assert "geen tolk geboekt" in text and "tolk nodig" in text
    assert AccessLogEntry.objects.filter(record_type="person", record_id=str(mw.oma.pk), action="view").exists()


def test_the_coordinator_prepares_on_the_page(client, mw):
    client.force_login(mw.world.a.coordinator)
    response = client.post(page(mw), {"action": "question", "text": "Hoe blijft Lieke veilig?"})
    assert response.status_code == 302
    question = ConferenceQuestion.objects.get()
    response = client.post(
        page(mw),
        {"action": "agree", "question": question.pk, "version": question.version, "party": "family", "person": ""},
    )
    assert response.status_code == 400 and "Zeg wie voor de familie instemde." in response.content.decode()
    response = client.post(
        page(mw),
        {
            "action": "agree",
            "question": question.pk,
            "version": question.version,
            "party": "family",
            "person": mw.oma.pk,
            "on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    # The same form again, at the old version: refused as stale, nothing stored twice.
    response = client.post(
        page(mw),
        {"action": "agree", "question": question.pk, "version": question.version, "party": "coordinator"},
    )
    assert response.status_code == 409
    assert ConferenceQuestion.objects.get().coordinator_agreed_on is None
    response = client.post(
        page(mw),
        {"action": "visit", "person": mw.piet.pk, "visited_on": timezone.localdate().isoformat(), "how": "phone"},
    )
    assert response.status_code == 302 and PreparationVisit.objects.get().how == "phone"
    response = client.post(
        page(mw),
        {
            "action": "logistics",
            "version": 0,
            "date_chosen_by_family": "on",
            "food": "Soep",
            "budget": "50",
            "plan_keeper": mw.oma.pk,
            "plan_keeper_chosen_by": "Moeder",
        },
    )
    assert response.status_code == 302
    assert MeetingLogistics.objects.get().plan_keeper == mw.oma
    response = client.post(page(mw), {"action": "cost", "what": "Zaal", "amount": "75.00", "paid_by": "Gemeente"})
    assert response.status_code == 302
    text = client.get(response.url).content.decode()
    assert "overschrijden het budget" in text and "25.00" in text
    assert MeetingCost.objects.get().amount == Decimal("75.00")
    part = mw.meeting.parts.order_by("order").first()
    response = client.post(page(mw), {"action": "booking", "part": part.pk, "language": "Arabisch", "how": "video"})
    assert response.status_code == 302 and InterpreterBooking.objects.get().part == part
    detail = client.get(reverse("meetings:detail", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk}))
    assert "Tolk: Arabisch (via video)" in detail.content.decode()
    booking = InterpreterBooking.objects.get()
    assert client.post(page(mw), {"action": "remove_booking", "item": booking.pk}).status_code == 302
    assert not InterpreterBooking.objects.exists()
    assert client.post(page(mw), {"action": "nonsense"}).status_code == 400


def test_outside_the_case_team_the_page_and_api_answer_404_or_403_and_are_logged(client, mw):
    for user in (mw.world.b.case_worker, mw.world.a.other_worker, mw.world.a.researcher):
        client.force_login(user)
        assert client.get(page(mw)).status_code == 404, user
        assert client.post(page(mw), {"action": "question", "text": "X"}).status_code == 404, user
        assert api_client(user).get(api(mw)).status_code == 404, user
        assert api_client(user).post(api(mw, "questions/"), {"text": "X"}, format="json").status_code == 404
    CaseTeamMember.objects.create(
        case=mw.case, organisation=mw.world.a.org, user=mw.world.a.other_worker, role=CaseRole.CO_WORKER
    )
    client.force_login(mw.world.a.other_worker)
    assert client.get(page(mw)).status_code == 200  # a co-worker reads
    assert "Vraag toevoegen" not in client.get(page(mw)).content.decode()
    before = AccessLogEntry.objects.filter(user=mw.world.a.other_worker, action="denied").count()
    assert client.post(page(mw), {"action": "question", "text": "X"}).status_code == 403
    co_worker = api_client(mw.world.a.other_worker)
    assert co_worker.post(api(mw, "costs/"), {"what": "Zaal", "amount": "5"}, format="json").status_code == 403
    assert AccessLogEntry.objects.filter(user=mw.world.a.other_worker, action="denied").count() == before + 2
    assert not ConferenceQuestion.objects.exists() and not MeetingCost.objects.exists()


def test_the_api_prepares_with_the_same_validation(mw):
    mw.piet.interpreter_needed, mw.piet.language = True, "Pools"
    mw.piet.save()
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, [mw.piet.pk])
    client = api_client(mw.world.a.coordinator)
    response = client.post(api(mw, "questions/"), {"text": "Wat is er nodig?"}, format="json")
    assert response.status_code == 201
    question = response.json()
    stranger = mw.world.b.case.persons.first()
    response = client.post(
        api(mw, "questions/agree/"),
        {"question": question["id"], "party": "family", "person": stranger.pk, "version": question["version"]},
        format="json",
    )
    assert response.status_code == 400 and "person" in response.json()
    response = client.post(
        api(mw, "questions/agree/"),
        {"question": question["id"], "party": "coordinator", "version": question["version"]},
        format="json",
    )
    assert response.status_code == 200 and response.json()["coordinator_agreed_on"]
    response = client.patch(
        api(mw, "questions/"),
        {"question": question["id"], "text": "Wat is er nodig voor Lieke?", "version": question["version"]},
        format="json",
    )
    assert response.status_code == 409
    response = client.patch(
        api(mw, "questions/"),
        {"question": question["id"], "text": "Wat is er nodig voor Lieke?", "version": question["version"] + 1},
        format="json",
    )
    assert response.status_code == 200 and response.json()["coordinator_agreed_on"] is None
    response = client.post(
        api(mw, "visits/"), {"person": mw.piet.pk, "visited_on": "2026-02-10", "how": "video"}, format="json"
    )
    assert response.status_code == 201
    response = client.put(api(mw, "logistics/"), {"budget": "10.00", "food": "Koffie", "version": 0}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 1
    response = client.put(api(mw, "logistics/"), {"food": "Thee", "version": 0}, format="json")
    assert response.status_code == 409
    response = client.post(api(mw, "costs/"), {"what": "Koffie", "amount": "12.50"}, format="json")
    assert response.status_code == 201 and response.json()["budget"]["over"] == "2.50"
    assert response.json()["budget"]["warning"]
    response = client.post(api(mw, "costs/"), {"what": "Koffie", "amount": "-1", "colour": "x"}, format="json")
    assert response.status_code == 400
    part = mw.meeting.parts.order_by("order").first()
    response = client.post(api(mw, "interpreters/"), {"part": part.pk, "language": "Pools"}, format="json")
    assert response.status_code == 201
    answer = client.get(api(mw)).json()
    assert [n["name"] for n in answer["interpreter_needs"]] == ["Piet de Buurman"]
    assert part.pk not in answer["parts_lacking_interpreter"] and answer["parts_lacking_interpreter"]
    assert answer["budget"]["total"] == "12.50" and len(answer["visits"]) == 1
    assert answer["logistics"]["food"] == "Koffie"


def test_attendance_page_offers_and_stores_the_mode(client, mw):
    invitation = services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, [mw.oma.pk])[0]
    part = mw.meeting.parts.order_by("order").first()
    client.force_login(mw.world.a.case_worker)
    url = reverse("meetings:attendance", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk})
    text = client.get(url).content.decode()
    assert f'name="m{part.pk}_i{invitation.pk}"' in text and "via video" in text
    response = client.post(
        url,
        {"version": mw.meeting.version, f"p{part.pk}_i{invitation.pk}": "on", f"m{part.pk}_i{invitation.pk}": "video"},
    )
    assert response.status_code == 302
    assert Attendance.objects.get(present=True).mode == "video"


def test_api_attendance_takes_modes(mw):
    invitation = services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, [mw.oma.pk])[0]
    part = mw.meeting.parts.order_by("order").first()
    client = api_client(mw.world.a.case_worker)
    url = f"/api/v1/cases/{mw.case.pk}/meetings/{mw.meeting.pk}/attendance/"
    body = {
        "version": mw.meeting.version,
        "parts": [{"part": part.pk, "invitations": [invitation.pk], "users": [], "modes": {f"i{invitation.pk}": "x"}}],
    }
    assert client.put(url, body, format="json").status_code == 400
    body["parts"][0]["modes"] = {f"i{invitation.pk}": "phone"}
    response = client.put(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["parts"][0]["modes"] == {f"i{invitation.pk}": "phone"}


def test_the_meeting_form_refuses_a_video_link_that_is_not_https(client, mw):
    client.force_login(mw.world.a.case_worker)
    url = reverse("meetings:edit", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk})
    start = timezone.localtime(mw.meeting.starts_at)
    data = {
        "version": mw.meeting.version,
        "kind": mw.meeting.kind,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": mw.meeting.place,
        "language": "Nederlands",
        "interpreter_needed": "on",
        "interpreter_language": "Arabisch",
    }
    for bad in ("http://meet.example.org/x", "javascript:alert(1)"):
        response = client.post(url, {**data, "video_link": bad})
        assert response.status_code == 200
        assert "Geef een link voor de videobijeenkomst die begint met https://." in response.content.decode()
    mw.meeting.refresh_from_db()
    assert mw.meeting.video_link == ""
    response = client.post(url, {**data, "video_link": "https://meet.example.org/kring-42"})
    assert response.status_code == 302
    mw.meeting.refresh_from_db()
    assert mw.meeting.video_link == "https://meet.example.org/kring-42"
