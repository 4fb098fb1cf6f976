"""The family's own link page (/l/family/<secret>/) in the holder's language of letters and plans (decision 274):
Arabic right to left, Turkish and Polish with their own letters; the page's headings, its forms' labels, its buttons,
its thanks and its refusals all translated, none of them left in Dutch."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from kring.family import services
from kring.family.models import FamilyView
from tests.family.conftest import fw  # noqa: F401  (the family on top of the submitted plan)
from tests.meetings.conftest import mw  # noqa: F401

pytestmark = pytest.mark.django_db

NOT_CHECKED_NL = "Deze vertaling is nog niet door een beëdigd vertaler nagekeken."

# The page's own strings that show for a mother invited to the meeting, with a plan she may agree to.
SHOWN = (
    "Your family's page",
    "On this page you prepare the meeting about your family and, later, read the plan and agree to it. This link is "
    "meant for you alone: do not pass it on.",
    "The meeting",
    "When",
    "Where",
    "Who is invited",
    "Name",
    "Coming",
    "not known yet",
    "parent",
    "The question for the meeting",
    "What the plan must in any case take care of",
    "Whom would you like at the meeting?",
    "First name",
    "Last name",
    "Who is this to you?",
    "Phone or e-mail",
    "Why would you like them there?",
    "Propose",
    "Your view",
    "What would you like the case worker and the coordinator to know before the meeting?",
    "Send",
    "What of the plan may be shared, and with whom",
    "Part of the plan",
    "With",
    "May it be shared?",
    "everyone in the network",
    "concerns and goals",
    "bottom lines",
    "evaluation moments",
    "everyone's agreements",
    "yes",
    "no",
    "Save",
    "The plan",
    "Agreements",
    "Type your full name to agree",
    "As the plan knows it.",
    "I agree to this plan",
)


def _in(code: str, msgid: str) -> str:
    with translation.override(code):
        return translation.gettext(msgid)


def _open(p, code):
    p.mother.document_language = code
    p.mother.save()
    _link, token = services.create_link(p.coordinator, p.case.pk, p.trajectory.pk, p.mother.pk)
    response = Client(REMOTE_ADDR="203.0.113.7").get(reverse("family_links:home", args=[token]))
    assert response.status_code == 200
    return response.content.decode(), token


def _dutch_left(page: str) -> list[str]:
    """The Dutch wording of the page's own strings found on the page: a long one anywhere, a short one (ja, nee,
    Naam) as a whole element's text or label, since the plan's own (Dutch) text may hold the word."""
    found = []
    for msgid in SHOWN:
        dutch = escape(_in("nl", msgid))
        assert dutch != escape(msgid), msgid  # the Dutch really differs from the msgid
        if len(dutch) >= 12 and dutch in page or any(f">{dutch}{end}" in page for end in ("<", ":<", "\n")):
            found.append(dutch)
    return found


def test_the_family_page_speaks_arabic_right_to_left(fw):  # noqa: F811
    page, _token = _open(fw, "ar")
    assert '<html lang="ar" dir="rtl">' in page
    assert "<title>صفحة عائلتكم · Kring</title>" in page
    for words in (
        "مرحباً Fatima",
        "من تودّون أن يحضر الاجتماع؟",
        "الاسم الأول",
        "ما صلة هذا الشخص بكم؟",
        "الهاتف أو البريد الإلكتروني",
        "اكتبوا اسمكم الكامل للموافقة",
        "أوافق على هذه الخطة",
        "أحد الوالدين",  # her role at the meeting
    ):
        assert words in page, words
    for msgid in SHOWN:
        arabic = escape(_in("ar", msgid))
        assert arabic != escape(msgid) and arabic in page, msgid
    assert _dutch_left(page) == []
    assert NOT_CHECKED_NL in page


def test_a_refusal_and_the_thanks_in_arabic(fw):  # noqa: F811
    _page, token = _open(fw, "ar")
    client = Client(REMOTE_ADDR="203.0.113.7")
    digest = services.current_digest(fw.plan)
    refused = client.post(reverse("family_links:agree", args=[token]), {"digest": digest, "typed_name": "Iemand"})
    assert refused.status_code == 400
    assert "اكتبوا اسمكم الكامل كما هو مكتوب في الخطة: Fatima Ouder." in refused.content.decode()
    proposed = client.post(
        reverse("family_links:propose", args=[token]), {"first_name": "Amal", "relation": "tante"}, follow=True
    )
    assert "شكراً لكم: سينظر المنسّق في اقتراحكم." in proposed.content.decode()
    assert "Amal (tante): مقترح" in proposed.content.decode()


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (
            "tr",
            (
                "<title>Ailenizin sayfası · Kring</title>",
                "Toplantıda kimin bulunmasını istersiniz?",
                "Bu kişi sizin neyiniz?",
                "Onaylamak için tam adınızı yazın",
                "Bu planı onaylıyorum",
                "Planın hangi bölümü kiminle paylaşılabilir",
                "Görüşünüz",
            ),
        ),
        (
            "pl",
            (
                "<title>Strona Państwa rodziny · Kring</title>",
                "Kogo chcieliby Państwo zaprosić na spotkanie?",
                "Kim jest dla Państwa ta osoba?",
                "Aby wyrazić zgodę, prosimy wpisać imię i nazwisko",
                "Zgadzam się na ten plan",
                "Co z planu można udostępnić i komu",
                "Część planu",
            ),
        ),
    ],
)
def test_the_family_page_speaks_turkish_and_polish(fw, code, words):  # noqa: F811
    page, token = _open(fw, code)
    assert f'<html lang="{code}" dir="ltr">' in page
    for text in words:
        assert text in page, text
    for msgid in SHOWN:
        assert escape(_in(code, msgid)) in page, msgid
    assert _dutch_left(page) == []
    assert NOT_CHECKED_NL in page
    saved = Client(REMOTE_ADDR="203.0.113.7").post(
        reverse("family_links:sharing", args=[token]),
        {"part": "concerns", "with_person": "", "allowed": "1"},
        follow=True,
    )
    thanks = {"tr": "Seçiminiz kaydedildi.", "pl": "Państwa wybór został zapisany."}[code]
    assert thanks in saved.content.decode()
    # A view left empty: refused in the holder's language (Django's own wording of a required field), nothing kept.
    empty = Client(REMOTE_ADDR="203.0.113.7").post(reverse("family_links:view", args=[token]), {"text": ""})
    assert empty.status_code == 400
    assert {"tr": "Bu alan zorunlu.", "pl": "To pole jest wymagane."}[code] in empty.content.decode()
    assert "Dit veld is verplicht" not in empty.content.decode() and not FamilyView.objects.exists()
