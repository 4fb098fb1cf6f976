"""The one-page plan for children in Arabic (right to left), Turkish and Polish (decisions 264 and 274), in words for
the child's age: read back from the PDF with pypdf, the special letters intact, the Arabic present; the not-checked
notice on each translation as on the other family documents, none on Dutch or English."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kring.core import languages
from kring.plans import documents_child
from kring.plans.voice import services as voice
from tests.meetings.conftest import mw  # noqa: F401
from tests.plans.conftest import pw  # noqa: F401

pytestmark = pytest.mark.django_db

NOT_CHECKED_NL = "Deze vertaling is nog niet door een beëdigd vertaler nagekeken."

# What each language's page says, per band: a sentence of the band's own and one with the language's own letters.
SAYS = {
    ("ar", "under_8"): ("للشخص البالغ", "هذه خطتنا", "من يساعد", "أمنياتك", "هل هناك ما يخيفك أو يحزنك"),
    ("ar", "8_11"): ("هذه هي الخطة", "من يفعل ماذا", "رقم الطوارئ"),
    ("ar", "12_up"): ("الاتفاقات", "عندما لا تسير الأمور على ما يرام", "يمكن أيضاً التحدّث دون ذكر الاسم"),
    ("tr", "under_8"): (
        "Yetişkin için: lütfen bu sayfayı çocukla birlikte sesli okuyun.",
        "Korkuyor musun ya da üzgün müsün?",
    ),
    ("tr", "8_11"): ("Kim ne yapıyor?", "İşler iyi gitmiyor mu?", "Güvendiğin birine anlat."),
    ("tr", "12_up"): ("İşler iyi gitmediğinde", "Güvendiğin biriyle konuş.", "Adını vermeden de konuşabilirsin"),
    ("pl", "under_8"): ("Dla osoby dorosłej: prosimy przeczytać tę stronę na głos", "Boisz się albo jest ci smutno?"),
    ("pl", "8_11"): (", to jest plan", "Kto co robi?", "Ktoś jest w niebezpieczeństwie?"),
    ("pl", "12_up"): ("Kiedy coś idzie nie tak", "Możesz też porozmawiać anonimowo", "Twoje życzenia"),
}
ALOUD = {"ar": "للشخص البالغ", "tr": "Yetişkin için", "pl": "Dla osoby dorosłej"}
YEARS = {"under_8": 6, "8_11": 10, "12_up": 13}


def _aged(person, years):
    today = timezone.localdate()
    person.birth_date = today.replace(year=today.year - years) - datetime.timedelta(days=30)
    person.save()
    return person


def _text(content: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages))


@pytest.mark.parametrize(("lang", "band"), sorted(SAYS))
def test_the_plan_for_children_in_the_childs_language_and_words(pw, client, lang, band):  # noqa: F811
    child = _aged(pw.mw.child, YEARS[band])
    voice.add_wish(pw.coordinator, pw.case.pk, pw.plan.pk, {"child": child.pk, "text": "Bij oma logeren"})
    client.force_login(pw.world.a.case_worker)
    target = reverse("plans:document_child", kwargs={"pk": pw.case.pk, "trajectory_id": pw.trajectory.pk})
    response = client.get(f"{target}?child={child.pk}&lang={lang}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert band in response["Content-Disposition"]
    content = response.content
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    text = _text(content)
    for words in SAYS[(lang, band)]:
        assert words in text, words
    assert (ALOUD[lang] in text) == (band == "under_8")
    assert child.first_name in text and "Bij oma logeren" in text  # the child's name and wish
    assert "Sam slaapt bij oma" in text and "Oma" in text and "112" in text  # the plan's own words, by first name
    assert pw.case.number not in text
    # The not-checked notice, in the language (its first sentence) and in Dutch.
    notice = languages.UNCHECKED_NOTICE[lang].split(".")[0].split()
    assert " ".join(notice[1:]) in text and NOT_CHECKED_NL.partition(" ")[2] in text  # (pypdf may split a kerned "To")
    assert "Dit is ons plan" not in text and "Wie doet wat?" not in text and "De afspraken" not in text


def test_arabic_runs_right_to_left_and_the_others_left_to_right(pw):  # noqa: F811
    view = documents_child.queries.plan_view(pw.coordinator, pw.case.pk, pw.trajectory.pk)
    child = _aged(pw.mw.child, 10)
    arabic = documents_child.child_html(view, child, "8_11", "ar")
    assert '<html lang="ar" dir="rtl">' in arabic and 'class="unchecked"' in arabic
    for lang in ("tr", "pl"):
        html = documents_child.child_html(view, child, "8_11", lang)
        assert f'<html lang="{lang}" dir="ltr">' in html and languages.UNCHECKED_NOTICE[lang] in html
    for lang in ("nl", "en"):
        html = documents_child.child_html(view, child, "8_11", lang)
        assert 'class="unchecked"' not in html and NOT_CHECKED_NL not in html
