"""Family documents in the family's language (decisions 270-273): the meeting letter follows the invitee's
language of letters; a Turkish and a Polish letter read back (pypdf) with their special letters intact; the Arabic
letter is right to left; translations not checked by a qualified translator say so, in the language and in Dutch."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from kring.core import languages
from kring.meetings import documents, services
from kring.meetings.models import Invitation
from kring.meetings.queries import meeting_view
from tests.meetings import conftest as meeting_world

pytestmark = pytest.mark.django_db

NOT_CHECKED_NL = "Deze vertaling is nog niet door een beëdigd vertaler nagekeken."


@pytest.fixture
def mw(world):
    return meeting_world.mw.__wrapped__(world)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _letter(client, mw, invitation, query=""):
    client.force_login(mw.world.a.coordinator)
    target = reverse(
        "meetings:letter", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk, "invitation_id": invitation.pk}
    )
    response = client.get(target + query)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return _pdf_text(response.content)


def _invited(mw, person, **changes):
    for name, value in changes.items():
        setattr(person, name, value)
    person.save()
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    return Invitation.objects.get(person=person)


def test_turkish_letter_keeps_its_letters(client, mw):
    services.update_meeting(
        mw.worker, mw.case.pk, mw.meeting.pk, {"place": "ÇAĞLAYAN Kültür Merkezi, Işık Sokağı 3"}, mw.meeting.version
    )
    invitation = _invited(mw, mw.oma, first_name="İlkay", last_name="Şahin Öztürk", document_language="tr")
    text = _letter(client, mw, invitation)
    for words in (
        "Sayın İlkay Şahin Öztürk",  # the formal address of an adult
        "ÇAĞLAYAN Kültür Merkezi, Işık Sokağı 3",
        "Davet: Aile ve yakın çevre toplantısı",  # the meeting's kind
        "Bilgilendirme bölümü",
        "Ailenin kendi arasındaki bölüm",
        "Saygılarımızla",
        "Koordinatör",
        languages.long_day(mw.meeting.starts_at.astimezone(documents.zone_of(mw.meeting)).date(), "tr"),
        "Bu çeviri henüz yeminli bir tercüman tarafından kontrol edilmemiştir.",
        NOT_CHECKED_NL,
    ):
        assert words in text, words
    assert set("ıİşŞğĞçöü") <= set(text)


def test_polish_letter_keeps_its_letters(client, mw):
    services.update_meeting(
        mw.worker, mw.case.pk, mw.meeting.pk, {"place": "Świetlica Źródło, ul. Ogińskiego 5"}, mw.meeting.version
    )
    invitation = _invited(
        mw, mw.oma, first_name="Łucja", last_name="Wąsowicz-Żółkiewska", gender="female", document_language="pl"
    )
    text = _letter(client, mw, invitation)
    for words in (
        "Łucja Wąsowicz-Żółkiewska",
        "Szanowna Pani,",  # a woman is addressed as Pani
        "Świetlica Źródło, ul. Ogińskiego 5",
        "Zaproszenie: spotkanie sieci wsparcia",
        "Część informacyjna",
        "Czas tylko dla rodziny",
        "weźmie Pani udział",
        "Z wyrazami szacunku",
        languages.long_day(mw.meeting.starts_at.astimezone(documents.zone_of(mw.meeting)).date(), "pl"),
        "tłumaczenie nie zostało jeszcze sprawdzone przez tłumacza przysięgłego.",
        NOT_CHECKED_NL,
    ):
        assert words in text, words
    assert set("ąćęłńóśźżŁ") <= set(text)


def test_the_letter_follows_the_persons_language_and_the_worker_may_ask_another(client, mw):
    invitation = _invited(mw, mw.oma, document_language="pl")
    assert "Dzień dobry" in _letter(client, mw, invitation)  # no gender stated: a neutral greeting
    dutch = _letter(client, mw, invitation, "?lang=nl")
    assert "Beste Oma Jansen" in dutch and NOT_CHECKED_NL not in dutch
    english = _letter(client, mw, invitation, "?lang=en")
    assert "Dear Oma Jansen" in english and NOT_CHECKED_NL not in english
    # An unknown ?lang= is ignored: the person's own language.
    assert "Dzień dobry" in _letter(client, mw, invitation, "?lang=xx")
    mw.oma.document_language = ""
    mw.oma.save()
    assert "Beste Oma Jansen" in _letter(client, mw, invitation)  # empty: the organisation's default, Dutch


def test_arabic_letter_is_right_to_left(mw):
    invitation = _invited(mw, mw.oma, first_name="فاطمة", last_name="الحسن", document_language="ar")
    html = documents.letter_html(meeting_view(mw.case, mw.meeting), invitation, "ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert "فاطمة الحسن" in html and "تحية طيبة" in html and "اجتماع شبكة العائلة" in html
    assert "لم يراجع مترجمٌ محلَّف هذه الترجمة بعد." in html and NOT_CHECKED_NL in html
    pdf = documents.letter_pdf(meeting_view(mw.case, mw.meeting), invitation, "ar")
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("lang", ["ar", "tr", "pl"])
def test_every_letter_reader_in_every_translated_language(mw, lang):
    """The child's, the young person's and the adult's letter exist in every language; the notice is on each."""
    invitation = _invited(mw, mw.oma, document_language=lang)
    view = meeting_view(mw.case, mw.meeting)
    seen = set()
    for reader in ("child", "youth", "adult"):
        html = documents.render_to_string(
            f"meetings/letter_{lang}.html",
            {**documents.letter_context(view, invitation, lang), "reader": reader},
        )
        assert languages.UNCHECKED_NOTICE[lang] in html and languages.UNCHECKED_NOTICE["nl"] in html
        seen.add(html.split("<h1>")[1].split("</h1>")[0])
    assert len(seen) >= 2  # the child's letter has a heading of its own


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ar", ("البرنامج:", "وقت العائلة الخاص", "سيحضر مترجم فوري (Arabisch)", "لم يراجع مترجمٌ محلَّف")),
        ("tr", ("Program:", "ailenin kendi arasındaki bölüm", "tercüman (Arabisch)", "Bu çeviri henüz")),
        ("pl", ("Program:", "czas tylko dla rodziny", "tłumacz (Arabisch)", "To tłumaczenie nie zostało")),
    ],
)
def test_the_calendar_file_in_each_translated_language(mw, lang, words):
    from icalendar import Calendar

    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    calendar = Calendar.from_ical(documents.calendar_file(meeting_view(mw.case, mw.meeting), lang))
    event = next(iter(calendar.walk("VEVENT")))
    description = str(event["DESCRIPTION"])
    for text in (*words, NOT_CHECKED_NL):
        assert text in description, text
    assert (
        str(event["SUMMARY"])
        == documents.KIND_WORDS[lang]["network_meeting"][:1].upper()
        + (documents.KIND_WORDS[lang]["network_meeting"][1:])
    )
