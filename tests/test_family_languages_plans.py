"""The plan PDFs in the family's language (decisions 270-273). The Arabic plan is checked right to left three ways:
WeasyPrint's layout boxes (each Arabic line ends at the right margin; a label, logically first, stands right of its
value), the PDF rendered to an image with pdftoppm (the title's ink at the right, the page number at the bottom
left), and pypdf reading the text back in logical order with the title on page 1 and the decision on the last page.
The member's page follows the member's language; the not-checked notice is on every translation, not on Dutch."""

import io
import shutil
import subprocess
import unicodedata

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from kring.core import languages
from kring.plans import documents
from kring.plans.models import Agreement, Plan
from tests.meetings.conftest import mw  # noqa: F401  (the fixture the plan builds on)
from tests.plans.conftest import accept, submitted_plan

pytestmark = pytest.mark.django_db

NOT_CHECKED_NL = "Deze vertaling is nog niet door een beëdigd vertaler nagekeken."
CONCERN = "نريد أن ينام الأطفال كل ليلة في مكان آمن، وأن يذهبوا إلى المدرسة كل يوم."
SLEEP = "ينام سام عند جدته عندما يكون البيت غير هادئ."
TITLE = "خطة مجموعة العائلة"
DECISION = "القرار بشأن الخطة"
PX_PER_PT = 96 / 72


@pytest.fixture
def arabic(mw):  # noqa: F811
    """An accepted plan written in Arabic, long enough for more than one page."""
    p = submitted_plan(mw)
    accept(p)
    Plan.objects.filter(pk=p.plan.pk).update(concerns="\n\n".join([CONCERN] * 14))
    Agreement.objects.filter(pk=p.sleep.pk).update(what=SLEEP)
    p.view = documents.plan_export(p.coordinator, p.case.pk, p.trajectory.pk)
    return p


def _is_arabic(text: str) -> bool:
    """Whether the first letter (a strong character) of ``text`` is Arabic."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return kind == "AL"
    return False


def _lines(box, found):
    """Every line box with its block (the box whose content edges the line aligns to)."""
    for child in getattr(box, "children", []):
        if type(child).__name__ == "LineBox":
            found.append((child, box))
        else:
            _lines(child, found)
    return found


def _text(box) -> str:
    if hasattr(box, "text"):
        return box.text
    return "".join(_text(child) for child in getattr(box, "children", []))


def _text_boxes(box, found):
    if type(box).__name__ == "TextBox":
        found.append(box)
    for child in getattr(box, "children", []):
        _text_boxes(child, found)
    return found


def test_arabic_plan_layout_runs_right_to_left(arabic):
    from weasyprint import HTML

    html = documents.plan_html(arabic.view, "ar")
    assert '<html lang="ar" dir="rtl">' in html
    rendered = HTML(string=html).render()
    assert len(rendered.pages) >= 2
    arabic_lines = 0
    for page in rendered.pages:
        for line, block in _lines(page._page_box, []):
            text = _text(line).strip()
            if not _is_arabic(text) or block.style["direction"] != "rtl":
                continue
            if block.element is None or "sender" in (block.element.get("class") or ""):
                continue  # the page number, the sender and the date stand left: mirrored from the Dutch plan
            arabic_lines += 1
            right_edge = block.content_box_x() + block.width
            # Start-aligned in a right-to-left block: each Arabic line's first word sits at the right margin.
            assert line.position_x + line.width == pytest.approx(right_edge, abs=1.5), text
    assert arabic_lines > 20
    # Within a line the logically first piece stands at the right: the label "يُنجز قبل:" ("done by:") and then,
    # to its left, the date.
    labels = [b for page in rendered.pages for b in _text_boxes(page._page_box, []) if b.text.strip() == "يُنجز قبل:"]
    assert labels
    for label in labels:
        line = next(
            line
            for page in rendered.pages
            for line, _block in _lines(page._page_box, [])
            if any(b is label for b in _text_boxes(line, []))
        )
        others = [b for b in _text_boxes(line, []) if b is not label and b.text.strip()]
        assert others and all(b.position_x + b.width <= label.position_x + 0.5 for b in others)
    # The title is on page 1 and its block is the first thing after the notice and the sender.
    first_page = "".join(_text(line) for line, _block in _lines(rendered.pages[0]._page_box, []))
    assert TITLE in first_page
    last_page = "".join(_text(line) for line, _block in _lines(rendered.pages[-1]._page_box, []))
    assert DECISION in last_page and TITLE not in last_page.replace(TITLE + " ", "")


def _ink(image, rows, columns):
    """Columns (x) that hold a dark pixel within the rows and columns given."""
    pixels = image.load()
    return [x for x in columns if any(pixels[x, y] < 128 for y in rows)]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) is not installed")
def test_arabic_plan_pdf_as_an_image_reads_right_to_left(arabic, tmp_path):
    from weasyprint import HTML

    html = documents.plan_html(arabic.view, "ar")
    pdf = documents.plan_pdf(arabic.view, "ar")
    (tmp_path / "plan.pdf").write_bytes(pdf)
    dpi = 72
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-png", "plan.pdf", "page"], cwd=tmp_path, check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    scale = dpi / 96  # layout boxes are in CSS pixels (96 per inch), the image has ``dpi`` pixels per inch
    rendered = HTML(string=html).render()
    page_box = rendered.pages[0]._page_box
    h1, h1_block = next((line, block) for line, block in _lines(page_box, []) if _text(line).strip() == TITLE)
    image = Image.open(pages[0]).convert("L")
    width, height = image.size
    left_margin = round(page_box.margin_left * scale)
    right_edge = round((h1_block.content_box_x() + h1_block.width) * scale)  # the text's right edge
    rows = range(round(h1.position_y * scale), round((h1.position_y + h1.height) * scale))
    ink = _ink(image, rows, range(width))
    # The title's ink: at the right margin, and nothing on the left half of the page.
    assert ink and abs(max(ink) - right_edge) <= 3
    assert min(ink) > width / 2
    # The page number is in the bottom left corner (mirrored from the Dutch plan's bottom right).
    bottom = range(height - round(page_box.margin_bottom * scale), height)
    numbers = _ink(image, bottom, range(width))
    assert numbers and max(numbers) < width / 2 and min(numbers) >= left_margin - 3
    # Page order: the title is drawn on the first image only; the decision is on the last page.
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert TITLE in texts[0] and all(TITLE not in text for text in texts[1:-1])
    assert DECISION in texts[-1]
    # Each page says which it is, in Arabic ("page 1 of 3"), in the bottom left margin.
    count = len(rendered.pages)
    for number, page in enumerate(rendered.pages, start=1):
        margins = [box for box in page._page_box.children if type(box).__name__ == "MarginBox"]
        assert [(box.at_keyword, _text(box)) for box in margins if _text(box).strip()] == [
            ("@bottom-left", f"صفحة {number} من {count}")
        ]


def test_arabic_text_reads_back_in_logical_order(arabic):
    """pypdf gives Arabic back in reading (logical) order, word for word; a full stop at the end of a line it may put
    at the line's start (its guess from the drawing order), so sentences are compared without it."""
    pdf = documents.plan_pdf(arabic.view, "ar")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for words in (TITLE, CONCERN, SLEEP, "ما الذي يقلقنا؟ وما الذي نريد تحقيقه؟", "اتفاق أمان", DECISION):
        assert words.rstrip(".") in text, words
    assert "لم يراجع مترجمٌ محلَّف هذه الترجمة بعد" in text and NOT_CHECKED_NL in text


@pytest.mark.parametrize("lang", ["ar", "tr", "pl"])
def test_every_plan_document_carries_the_notice_in_a_translation(arabic, lang):
    view = arabic.view
    for html in (
        documents.plan_html(view, lang),
        documents.bottom_lines_html(view, lang),
        documents.member_html(view, arabic.mw.oma, [arabic.sleep], lang),
    ):
        assert f'lang="{lang}"' in html
        assert languages.UNCHECKED_NOTICE[lang] in html and NOT_CHECKED_NL in html


def test_dutch_and_english_documents_have_no_notice(arabic):
    view = arabic.view
    for lang in ("nl", "en"):
        for html in (documents.plan_html(view, lang), documents.bottom_lines_html(view, lang)):
            assert NOT_CHECKED_NL not in html and 'class="unchecked"' not in html


def test_member_page_follows_the_members_language(client, arabic):
    oma = arabic.mw.oma
    oma.document_language = "pl"
    oma.save()
    client.force_login(arabic.world.a.coordinator)
    target = reverse(
        "plans:document_member",
        kwargs={"pk": arabic.case.pk, "trajectory_id": arabic.trajectory.pk, "person_id": oma.pk},
    )
    response = client.get(target)
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Ustalenia dla: Oma Jansen" in text and "Państwa zadania" in text
    assert "agreements-" in response["Content-Disposition"]
    assert "Agreements for Oma Jansen" in "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(client.get(target + "?lang=en").content)).pages
    )


def test_turkish_and_polish_plans_keep_their_letters(arabic):
    Plan.objects.filter(pk=arabic.plan.pk).update(
        concerns="Çocukların güvenliği; Ilık süt; İyi geceler. Łóżko dla dzieci."
    )
    view = documents.plan_export(arabic.coordinator, arabic.case.pk, arabic.trajectory.pk)
    turkish = "".join(page.extract_text() for page in PdfReader(io.BytesIO(documents.plan_pdf(view, "tr"))).pages)
    assert "Neden endişeleniyoruz? Neyi başarmak istiyoruz?" in turkish
    assert "Çocukların güvenliği; Ilık süt; İyi geceler." in turkish
    polish = "".join(page.extract_text() for page in PdfReader(io.BytesIO(documents.plan_pdf(view, "pl"))).pages)
    assert "Czym się martwimy? Co chcemy osiągnąć?" in polish and "Łóżko dla dzieci." in polish
