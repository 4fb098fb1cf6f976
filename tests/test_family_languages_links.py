"""The network member's link page in the member's language (decision 274): Arabic right to left, Turkish and
Polish with their own wording; the visitor may choose another language on the page and keeps it for the visit; the
not-checked notice on every translation (in the language and in Dutch), not on Dutch or English."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tests.meetings.conftest import mw  # noqa: F401  (the fixture the plan builds on)
from tests.plans.conftest import accept, submitted_plan
from tests.plans.test_links import home, link_for

pytestmark = pytest.mark.django_db

NOT_CHECKED_NL = "Deze vertaling is nog niet door een beëdigd vertaler nagekeken."


@pytest.fixture
def linked(mw):  # noqa: F811
    cache.clear()
    p = submitted_plan(mw)
    accept(p)
    _link, token = link_for(p, mw.oma)
    yield p, token
    cache.clear()


def _page(token, query="", client=None, language="nl"):
    client = client or Client(REMOTE_ADDR="203.0.113.9")
    response = client.get(home(token) + query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode(), response


def _speak(p, code):
    p.mw.oma.document_language = code
    p.mw.oma.save()


def test_the_page_speaks_arabic_right_to_left(linked):
    p, token = linked
    _speak(p, "ar")
    page, response = _page(token)
    assert '<html lang="ar" dir="rtl">' in page
    assert response["Content-Language"] == "ar"
    for words in ("مرحباً Oma", "اتفاقاتكم", "بمن تتصلون الآن", "اتفاق أمان", "أخبرونا كيف سار الأمر", "كيف سار الأمر؟"):
        assert words in page, words
    assert "لم يراجع مترجمٌ محلَّف هذه الترجمة بعد." in page and NOT_CHECKED_NL in page


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("tr", ("Merhaba Oma", "Anlaşmalarınız", "Şimdi kimi aramalısınız", "Nasıl gitti?", "Bu çeviri henüz")),
        ("pl", ("Dzień dobry, Oma", "Państwa ustalenia", "Do kogo dzwonić teraz", "Jak poszło?", "To tłumaczenie")),
    ],
)
def test_the_page_speaks_turkish_and_polish(linked, code, words):
    p, token = linked
    _speak(p, code)
    page, _response = _page(token)
    assert f'<html lang="{code}" dir="ltr">' in page
    for text in words:
        assert text in page, text
    assert NOT_CHECKED_NL in page


def test_without_a_language_the_page_speaks_the_interfaces_and_has_no_notice(linked):
    _p, token = linked
    dutch, _response = _page(token)
    assert '<html lang="nl" dir="ltr">' in dutch and "Uw afspraken" in dutch and NOT_CHECKED_NL not in dutch
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the interface's language switch
    english, _response = _page(token, client=client)
    assert "Your agreements" in english and NOT_CHECKED_NL not in english


def test_the_visitor_chooses_another_language_for_the_visit(linked):
    p, token = linked
    _speak(p, "ar")
    client = Client(REMOTE_ADDR="203.0.113.9")
    page, _response = _page(token, "?lang=pl", client=client)
    assert '<html lang="pl"' in page and "Państwa ustalenia" in page
    # The choice stays for the visit (the next page without ?lang=), and an unknown code changes nothing.
    again, _response = _page(token, client=client)
    assert "Państwa ustalenia" in again
    unknown, _response = _page(token, "?lang=xx", client=client)
    assert "Państwa ustalenia" in unknown
    # The switch offers every language under its own name.
    for name in ("Nederlands", "English", "العربية", "Türkçe", "Polski"):
        assert name in page


def test_an_unknown_link_stays_the_same_page(linked):
    client = Client(REMOTE_ADDR="203.0.113.10")
    response = client.get(home("x" * 43), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 404 and "Deze link werkt niet" in response.content.decode()


@pytest.mark.parametrize(
    ("code", "years", "says"),
    [
        ("ar", 13, "رأيك مهمّ"),
        ("ar", 6, "للشخص البالغ: يُرجى قراءة هذه الصفحة مع"),
        ("tr", 9, "bağlantıyı başkalarına verme"),
        ("pl", 13, "Twoje zdanie się liczy"),
    ],
)
def test_a_childs_link_page_in_their_language(linked, code, years, says):
    from tests.plans.test_children_links import aged

    p, _token = linked
    child = aged(p.mw.child, years)
    child.document_language = code
    child.save()
    _link, token = link_for(p, child)
    page, _response = _page(token)
    assert f'<html lang="{code}"' in page and says in page
