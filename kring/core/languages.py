"""The languages Kring writes documents for families in (letters, link pages, plan PDFs): decision 224.

The professionals' screens stay Dutch and English (settings.LANGUAGES); a family member may read their letters, link
pages and plans in any of these. Pure: no Django.
"""

import functools
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class DocumentLanguage:
    code: str
    name: str  # the language's own name, as its readers write it
    right_to_left: bool = False


DOCUMENT_LANGUAGES: tuple[DocumentLanguage, ...] = (
    DocumentLanguage("nl", "Nederlands"),
    DocumentLanguage("en", "English"),
    DocumentLanguage("ar", "العربية", right_to_left=True),
    DocumentLanguage("tr", "Türkçe"),
    DocumentLanguage("pl", "Polski"),
)
BY_CODE = {language.code: language for language in DOCUMENT_LANGUAGES}


def choices() -> list[tuple[str, str]]:
    return [(language.code, language.name) for language in DOCUMENT_LANGUAGES]


def is_right_to_left(code: str) -> bool:
    language = BY_CODE.get(code)
    return bool(language and language.right_to_left)


DEFAULT = "nl"


def resolve(code: str | None, fallback: str = DEFAULT) -> str:
    """The document language for ``code``: itself when Kring writes documents in it, else ``fallback`` (an empty
    choice on a person is the organisation's default)."""
    return code if code in BY_CODE else fallback


def direction(code: str) -> str:
    return "rtl" if is_right_to_left(code) else "ltr"


# ---- dates as each language writes them (decision 271) -------------------------------------------------------
# Month names in the form a date uses: Polish puts the month in the genitive ("12 marca"); Arabic gives the
# international name with the Levantine one after it, as Arabic newspapers do, so readers from the Maghreb, Egypt
# and the Levant all recognise it. Digits stay 0-9 (read across the Arab world, and the same in every document).
MONTHS: dict[str, tuple[str, ...]] = {
    "nl": (
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "ar": (
        "يناير/كانون الثاني", "فبراير/شباط", "مارس/آذار", "أبريل/نيسان", "مايو/أيار", "يونيو/حزيران",
        "يوليو/تموز", "أغسطس/آب", "سبتمبر/أيلول", "أكتوبر/تشرين الأول", "نوفمبر/تشرين الثاني", "ديسمبر/كانون الأول",
    ),
    "tr": (
        "Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran",
        "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık",
    ),
    "pl": (
        "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca",
        "lipca", "sierpnia", "września", "października", "listopada", "grudnia",
    ),
}  # fmt: skip
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
    "tr": ("Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar"),
    "pl": ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"),
}


def day(value: date | None, code: str) -> str:
    """A date as the language writes it: "12 maart 2026", "12 March 2026", "12 مارس/آذار 2026", "12 Mart 2026",
    "12 marca 2026 r."."""
    if value is None:
        return ""
    text = f"{value.day} {MONTHS[code][value.month - 1]} {value.year}"
    return f"{text} r." if code == "pl" else text


def long_day(value: date | None, code: str) -> str:
    """A date with its weekday: "donderdag 12 maart 2026", "الخميس، 12 مارس/آذار 2026", "12 Mart 2026 Perşembe",
    "czwartek, 12 marca 2026 r."."""
    if value is None:
        return ""
    weekday = WEEKDAYS[code][value.weekday()]
    if code == "ar":
        return f"{weekday}، {day(value, code)}"
    if code == "tr":
        return f"{day(value, code)} {weekday}"
    if code == "pl":
        return f"{weekday}, {day(value, code)}"
    return f"{weekday} {day(value, code)}"


# ---- which translations a qualified translator has checked (decision 272) -------------------------------------
# The family documents, each written once per language. kring/core/translations_checked.toml records per language
# and document whether it is an original (Dutch and English, written by the team) or a translation, and whether a
# qualified translator has checked it; a translation not checked (or not listed) is shown with a notice.
DOCUMENTS: tuple[str, ...] = (
    "meetings/letter",
    "meetings/calendar",
    "plans/plan",
    "plans/member",
    "plans/bottom_lines",
    "plans/child",
    "plans/link_page",
)
CHECKED_FILE = Path(__file__).with_name("translations_checked.toml")


@dataclass(frozen=True)
class TranslationCheck:
    original: bool = False
    checked: bool = False
    checked_by: str = ""
    checked_on: date | None = None


@functools.cache
def translation_checks() -> dict[tuple[str, str], TranslationCheck]:
    """(language, document) → its check, as the data file records it."""
    with CHECKED_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    checks = {}
    for code, documents in data.items():
        for document, entry in documents.items():
            checks[(code, document)] = TranslationCheck(
                original=bool(entry.get("original")),
                checked=bool(entry.get("checked")),
                checked_by=entry.get("checked_by", ""),
                checked_on=entry.get("checked_on"),
            )
    return checks


def is_checked(code: str, document: str) -> bool:
    """Whether this document in this language may go out without the "not checked" notice: an original, or a
    translation the data file records as checked (by someone, on a day)."""
    check = translation_checks().get((code, document))
    if check is None:
        return False
    return check.original or bool(check.checked and check.checked_by and check.checked_on)


# The notice on a translation not yet checked, in its own language and in Dutch (for whoever helps the reader).
UNCHECKED_NOTICE = {
    "nl": "Deze vertaling is nog niet door een beëdigd vertaler nagekeken. Bij twijfel geldt de Nederlandse tekst; "
    "vraag de contactpersoon gerust om uitleg.",
    "ar": "لم يراجع مترجمٌ محلَّف هذه الترجمة بعد. عند الشك يُعتمد النص الهولندي، ويمكنكم أن تطلبوا الشرح من "
    "الشخص المسؤول عن التواصل معكم.",
    "tr": "Bu çeviri henüz yeminli bir tercüman tarafından kontrol edilmemiştir. Şüphe durumunda Felemenkçe metin "
    "geçerlidir; açıklama için irtibat kişinize başvurabilirsiniz.",
    "pl": "To tłumaczenie nie zostało jeszcze sprawdzone przez tłumacza przysięgłego. W razie wątpliwości obowiązuje "
    "tekst niderlandzki; w razie pytań prosimy zwrócić się do osoby kontaktowej.",
}


def unchecked_notice(code: str, document: str) -> list[tuple[str, str, str]]:
    """[(language, direction, text)] to print on the document: the notice in its language and in Dutch, or nothing
    for an original or a checked translation."""
    if is_checked(code, document):
        return []
    return [(c, direction(c), UNCHECKED_NOTICE[c]) for c in (code, "nl") if c in UNCHECKED_NOTICE]


def text_direction(text: str) -> str:
    """ "rtl" when the first letter of ``text`` is of a right-to-left script, else "ltr" (the rule of HTML's
    dir="auto"). Text a family or a worker typed goes into an Arabic document as it was written, often in Dutch:
    its block gets its own direction so its full stop and brackets stay where the writer put them."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"
