"""The languages Kring writes documents for families in (letters, link pages, plan PDFs): decision 224.

The professionals' screens stay Dutch and English (settings.LANGUAGES); a family member may read their letters, link
pages and plans in any of these. Pure: no Django.
"""

from dataclasses import dataclass


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
