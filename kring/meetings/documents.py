"""The meeting's documents: a calendar invitation (.ics) and an invitation letter (PDF).

A letter to a family is read as a whole, so its wording lives in the template per language (Dutch, and English
on request) and per reader (a child, a young person, an adult: ``reader_of``) rather than in the interface's
message catalogue; the names of meeting kinds and parts for the
documents are kept here for the same reason. Both hold no more person data than the invitee needs: the
letter is addressed to them; the calendar file names nobody but the contact person. Neither carries a
confidential address (kring.cases.confidentiality, decision 187): not the invitee's own on the letter, and no
meeting place that is a protected person's home (the contact person tells the place instead).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string

from kring.cases.confidentiality import Audience, kept_from, safe_place, shown_address
from kring.core import languages as document_languages

from .models import TIMEZONES

# Decision 270: every language Kring writes family documents in; Dutch and English share letter.html, the
# others have a letter of their own (meetings/letter_<lang>.html).
DOC_LANGUAGES = tuple(language.code for language in document_languages.DOCUMENT_LANGUAGES)
OWN_LETTER = ("ar", "tr", "pl")
# Said instead of a meeting place that is a confidential address (decision 187).
PLACE_WITHHELD = {
    "nl": "De contactpersoon vertelt u waar.",
    "en": "Your contact person will tell you where.",
    "ar": "سيخبركم الشخص المسؤول عن التواصل بالمكان.",
    "tr": "Yeri irtibat kişiniz size bildirecektir.",
    "pl": "Miejsce poda Państwu osoba kontaktowa.",
}

KIND_WORDS = {
    "nl": {
        "conference": "Eigen Kracht-conferentie",
        "network_meeting": "netwerkberaad",
        "round_table_start": "startoverleg (ronde tafel)",
        "round_table_interim": "tussentijds overleg (ronde tafel)",
        "round_table_closing": "slotoverleg (ronde tafel)",
        "hergo_circle": "herstelgericht groepsoverleg (HERGO)",
        "path_session": "PATH-bijeenkomst",
        "maps_session": "MAPS-bijeenkomst",
        "review": "evaluatiebijeenkomst",
    },
    "en": {
        "conference": "family group conference",
        "network_meeting": "network meeting",
        "round_table_start": "round table (start)",
        "round_table_interim": "round table (interim)",
        "round_table_closing": "round table (closing)",
        "hergo_circle": "restorative group conference (HERGO)",
        "path_session": "PATH session",
        "maps_session": "MAPS session",
        "review": "review meeting",
    },
    "ar": {
        "conference": "مؤتمر العائلة (Eigen Kracht)",
        "network_meeting": "اجتماع شبكة العائلة",
        "round_table_start": "اجتماع الطاولة المستديرة (البداية)",
        "round_table_interim": "اجتماع الطاولة المستديرة (مرحلي)",
        "round_table_closing": "اجتماع الطاولة المستديرة (الختام)",
        "hergo_circle": "اجتماع جماعي لإصلاح الضرر (HERGO)",
        "path_session": "جلسة PATH",
        "maps_session": "جلسة MAPS",
        "review": "اجتماع التقييم",
    },
    "tr": {
        "conference": "aile grup konferansı (Eigen Kracht)",
        "network_meeting": "aile ve yakın çevre toplantısı",
        "round_table_start": "yuvarlak masa toplantısı (başlangıç)",
        "round_table_interim": "yuvarlak masa toplantısı (ara değerlendirme)",
        "round_table_closing": "yuvarlak masa toplantısı (kapanış)",
        "hergo_circle": "onarıcı grup toplantısı (HERGO)",
        "path_session": "PATH oturumu",
        "maps_session": "MAPS oturumu",
        "review": "değerlendirme toplantısı",
    },
    "pl": {
        "conference": "konferencja grupy rodzinnej (Eigen Kracht)",
        "network_meeting": "spotkanie sieci wsparcia",
        "round_table_start": "okrągły stół (spotkanie początkowe)",
        "round_table_interim": "okrągły stół (spotkanie pośrednie)",
        "round_table_closing": "okrągły stół (spotkanie końcowe)",
        "hergo_circle": "naprawcza konferencja grupowa (HERGO)",
        "path_session": "sesja PATH",
        "maps_session": "sesja MAPS",
        "review": "spotkanie ewaluacyjne",
    },
}

PART_WORDS = {
    "nl": {
        "information": "informatiedeel",
        "private_family_time": "besloten familiedeel",
        "plan_presentation": "presentatie van het plan",
        "opening": "opening",
        "conversation": "gesprek",
        "agreements": "afspraken",
        "repair": "herstel",
        "statement_of_intent": "intentieverklaring (besloten)",
        "path_north_star": "de droom",
        "path_goal": "het doel",
        "path_now": "het nu",
        "path_enrol": "wie doet mee",
        "path_get_stronger": "sterker worden",
        "path_next_steps": "volgende stappen",
        "path_next_month": "de komende maand",
        "path_first_steps": "eerste stappen",
        "maps_history": "geschiedenis",
        "maps_dreams": "dromen",
        "maps_nightmares": "nachtmerries",
        "maps_who": "wie is de persoon",
        "maps_gifts": "talenten en sterke kanten",
        "maps_needs": "behoeften",
        "maps_action_plan": "actieplan",
        "review": "evaluatie",
        "other": "overig",
    },
    "en": {
        "information": "information",
        "private_family_time": "private family time",
        "plan_presentation": "presentation of the plan",
        "opening": "opening",
        "conversation": "conversation",
        "agreements": "agreements",
        "repair": "repair",
        "statement_of_intent": "statement of intent (private)",
        "path_north_star": "the dream",
        "path_goal": "the goal",
        "path_now": "the now",
        "path_enrol": "who joins",
        "path_get_stronger": "getting stronger",
        "path_next_steps": "next steps",
        "path_next_month": "next month",
        "path_first_steps": "first steps",
        "maps_history": "history",
        "maps_dreams": "dreams",
        "maps_nightmares": "nightmares",
        "maps_who": "who is the person",
        "maps_gifts": "gifts and strengths",
        "maps_needs": "needs",
        "maps_action_plan": "plan of action",
        "review": "review",
        "other": "other",
    },
    "ar": {
        "information": "جزء المعلومات",
        "private_family_time": "وقت العائلة الخاص",
        "plan_presentation": "عرض الخطة",
        "opening": "الافتتاح",
        "conversation": "الحوار",
        "agreements": "الاتفاقات",
        "repair": "إصلاح الضرر",
        "statement_of_intent": "إعلان النوايا (خاص)",
        "path_north_star": "الحلم",
        "path_goal": "الهدف",
        "path_now": "الوضع الآن",
        "path_enrol": "من يشارك",
        "path_get_stronger": "أن نصبح أقوى",
        "path_next_steps": "الخطوات التالية",
        "path_next_month": "الشهر القادم",
        "path_first_steps": "الخطوات الأولى",
        "maps_history": "القصة حتى الآن",
        "maps_dreams": "الأحلام",
        "maps_nightmares": "المخاوف",
        "maps_who": "من هو هذا الشخص",
        "maps_gifts": "المواهب ونقاط القوة",
        "maps_needs": "الاحتياجات",
        "maps_action_plan": "خطة العمل",
        "review": "التقييم",
        "other": "أخرى",
    },
    "tr": {
        "information": "bilgilendirme bölümü",
        "private_family_time": "ailenin kendi arasındaki bölüm",
        "plan_presentation": "planın sunulması",
        "opening": "açılış",
        "conversation": "görüşme",
        "agreements": "kararlar ve anlaşmalar",
        "repair": "onarım",
        "statement_of_intent": "niyet beyanı (kapalı)",
        "path_north_star": "hayal",
        "path_goal": "hedef",
        "path_now": "şu anki durum",
        "path_enrol": "kimler katılıyor",
        "path_get_stronger": "güçlenmek",
        "path_next_steps": "sonraki adımlar",
        "path_next_month": "önümüzdeki ay",
        "path_first_steps": "atılacak ilk adımlar",
        "maps_history": "geçmiş",
        "maps_dreams": "hayaller",
        "maps_nightmares": "korkular",
        "maps_who": "bu kişi kimdir",
        "maps_gifts": "yetenekler ve güçlü yönler",
        "maps_needs": "gereksinimler",
        "maps_action_plan": "eylem planı",
        "review": "değerlendirme",
        "other": "diğer",
    },
    "pl": {
        "information": "część informacyjna",
        "private_family_time": "czas tylko dla rodziny",
        "plan_presentation": "przedstawienie planu",
        "opening": "otwarcie",
        "conversation": "rozmowa",
        "agreements": "ustalenia",
        "repair": "naprawienie szkody",
        "statement_of_intent": "deklaracja intencji (zamknięta)",
        "path_north_star": "marzenie",
        "path_goal": "cel",
        "path_now": "tu i teraz",
        "path_enrol": "kto się przyłącza",
        "path_get_stronger": "jak stać się silniejszym",
        "path_next_steps": "kolejne kroki",
        "path_next_month": "najbliższy miesiąc",
        "path_first_steps": "pierwsze kroki",
        "maps_history": "historia",
        "maps_dreams": "marzenia",
        "maps_nightmares": "obawy",
        "maps_who": "kim jest ta osoba",
        "maps_gifts": "talenty i mocne strony",
        "maps_needs": "potrzeby",
        "maps_action_plan": "plan działania",
        "review": "ewaluacja",
        "other": "inne",
    },
}

# Month and weekday names live with the languages (kring.core.languages); kept here under their old names.
MONTHS = document_languages.MONTHS
WEEKDAYS = document_languages.WEEKDAYS


def zone_of(meeting) -> ZoneInfo:
    return ZoneInfo(TIMEZONES.get(meeting.organisation.jurisdiction, "Europe/Brussels"))


def long_date(day: datetime.date, lang: str) -> str:
    return document_languages.long_day(day, lang)


def part_name(part, lang: str) -> str:
    return part.label or PART_WORDS[lang].get(part.kind, part.kind)


def contact_of(view):
    """The coordinator of the trajectory, or else the case worker: name and e-mail for the invitee."""
    coordinator = view.meeting.trajectory.coordinator
    if coordinator is not None:
        return coordinator, "coordinator"
    worker = next((m.user for m in view.team if m.role == "case_worker"), None)
    return worker, "case_worker"


def _facts(view, lang, recipient=None):
    meeting = view.meeting
    zone = zone_of(meeting)
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    contact, contact_role = contact_of(view)
    return {
        "lang": lang,
        "dir": document_languages.direction(lang),
        "meeting": meeting,
        "kind": KIND_WORDS[lang][meeting.kind],
        "date": long_date(start.date(), lang),
        "end_date": long_date(end.date(), lang) if end.date() != start.date() else "",
        "start_time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "parts": [{"name": part_name(p, lang), "private": p.private} for p in view.parts],
        "has_private": any(p.private for p in view.parts),
        "contact": contact,
        "contact_name": str(contact) if contact else "",
        "contact_email": getattr(contact, "email", "") if contact else "",
        "contact_role": contact_role,
        "organisation": meeting.organisation.name,
        "cancelled": meeting.status == "cancelled",
        "place": safe_place(meeting.case, meeting.place, recipient) or PLACE_WITHHELD[lang],
        # Decision 236: the video link goes to the invitees as the place does (https only, checked on saving).
        "video_link": meeting.video_link,
    }


def calendar_file(view, lang: str = "nl") -> bytes:
    """An iCalendar file with one event; its UID stays the same for the meeting and SEQUENCE follows its
    version, so calendars update the event instead of adding another."""
    from icalendar import Calendar, Event, vText

    facts = _facts(view, lang)
    facts["unchecked"] = document_languages.unchecked_notice(lang, "meetings/calendar")
    meeting = view.meeting
    zone = zone_of(meeting)
    calendar = Calendar()
    calendar.add("prodid", "-//Kring//Meetings//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"kring-meeting-{meeting.pk}@{meeting.organisation.code}.kring")
    event.add("sequence", meeting.version)
    event.add("dtstamp", datetime.datetime.now(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", facts["kind"][:1].upper() + facts["kind"][1:])
    event.add("location", vText(facts["place"]))
    if facts["video_link"]:
        # URL for the clients that show a link, CONFERENCE (RFC 7986) for those that offer to join; the
        # description names it too, for those that read neither.
        event.add("url", facts["video_link"])
        event.add("conference", facts["video_link"], parameters={"VALUE": "URI", "FEATURE": "VIDEO"})
    event.add("description", render_to_string("meetings/calendar_description.txt", facts).strip())
    event.add("status", "CANCELLED" if facts["cancelled"] else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


# A letter's wording follows the reader's age: short sentences for a child, "je" for a young person, and the
# formal "u" of the interface for an adult (the Dutch letter; English has one "you").
CHILD_UNTIL = 12
YOUTH_UNTIL = 18


def age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


READ_ALOUD_UNTIL = 8


def reader_of(person, role: str, day: datetime.date) -> str:
    """'child' under 12, 'youth' from 12 to 17, else 'adult'. The age decides whatever the role of the invitation
    (an 11-year-old invited as a family or network member gets the child's letter, decision 265); only without a
    birth date does the role speak: a child's invitation is written for a young person, any other for an adult."""
    age = age_on(person.birth_date, day)
    if age is None:
        return "youth" if role == "child" else "adult"
    return "child" if age < CHILD_UNTIL else "youth" if age < YOUTH_UNTIL else "adult"


def read_aloud(person, day: datetime.date) -> bool:
    """A child under 8 has the letter read to them: it starts with a line for the adult who reads it."""
    age = age_on(person.birth_date, day)
    return age is not None and age < READ_ALOUD_UNTIL


def letter_context(view, invitation, lang: str = "nl") -> dict:
    person = invitation.person
    facts = _facts(view, lang, recipient=person)
    today = datetime.datetime.now(zone_of(view.meeting)).date()
    facts.update(
        {
            "invitation": invitation,
            "person": person,
            "address": shown_address(person, Audience.OUTSIDER, kept_from(view.meeting.case, person)),
            "today": long_date(today, lang),
            "reader": reader_of(invitation.person, invitation.role, today),
            "read_aloud": read_aloud(invitation.person, today),
            "unchecked": document_languages.unchecked_notice(lang, "meetings/letter"),
        }
    )
    return facts


def letter_html(view, invitation, lang: str = "nl") -> str:
    facts = letter_context(view, invitation, lang)
    template = f"meetings/letter_{lang}.html" if lang in OWN_LETTER else "meetings/letter.html"
    return render_to_string(template, facts)


def letter_pdf(view, invitation, lang: str = "nl") -> bytes:
    from weasyprint import HTML

    return HTML(string=letter_html(view, invitation, lang)).write_pdf()


def language_for(person, asked: str | None = None) -> str:
    """The language of a document for ``person`` (decision 270): the one asked for (a worker's ``?lang=``), else the
    person's own choice, else the organisation's default (Dutch)."""
    if asked in DOC_LANGUAGES:
        return asked
    return document_languages.resolve(getattr(person, "document_language", ""))
