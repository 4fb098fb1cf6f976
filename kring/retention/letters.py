"""The answer to a request to destroy a file, as the letter the requester receives: a PDF in plain Dutch with "u"
(decision 213). Its wording lives in one template (``retention/answer_letter_nl.html``), read as a whole like the
other letters to families; this module chooses what the template says.

A refusal is addressed to the requester by name (and address, unless the address is marked confidential: then the
privacy officer writes it on the envelope) and carries the officer's answer. A granted request destroys the file,
with the requester's name and the answer's text (decision 180), so its letter is made after the destruction and
names nobody: it is sent to the address the request came from, and stays as the proof of the answer.
"""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from kring.cases.choices import ContactConfidentiality

from . import rules
from .models import LegalException, RequestDecision

# The legal term as the letter says it, per jurisdiction (rules.toml holds the number of months).
TERM = {
    "NL": "Volgens artikel 7.3.9 van de Jeugdwet beslissen wij binnen drie maanden na ontvangst van uw verzoek.",
    "VL": "Volgens artikel 12, lid 3 van de Algemene verordening gegevensbescherming (AVG) beslissen wij binnen één "
    "maand na ontvangst van uw verzoek.",
}

# Why a request was refused, in the words of the law (Jeugdwet art. 7.3.9 lid 2; AVG art. 17 lid 3).
REFUSAL = {
    LegalException.OTHERS_INTEREST: "Het bewaren van het dossier is van aanmerkelijk belang voor iemand anders dan u. "
    "De wet staat ons dan niet toe het dossier te vernietigen (artikel 7.3.9, lid 2 Jeugdwet; artikel 17, lid 3 AVG).",
    LegalException.LEGAL_DUTY: "Een wettelijke regel verplicht ons het dossier te bewaren (artikel 7.3.9, lid 2 "
    "Jeugdwet; artikel 17, lid 3, onder b AVG).",
    LegalException.PROTECTION_MEASURE: "Het dossier hoort bij een maatregel van kinderbescherming. Zolang die "
    "maatregel het nodig maakt, moeten wij het dossier bewaren (artikel 7.3.9, lid 2 Jeugdwet; artikel 17, lid 3 AVG).",
    LegalException.NOT_ENTITLED: "U kunt dit verzoek niet zelf doen. Een jongere vanaf 12 jaar kan het zelf vragen. "
    "Voor een jonger kind kan een ouder of voogd met gezag het vragen (artikel 7.3.9 en 7.3.10 Jeugdwet; decreet "
    "rechtspositie minderjarige in de integrale jeugdhulp).",
}

# Where the requester can go when they do not agree (decision 213).
ROUTES = {
    "NL": [
        "U kunt eerst met ons praten, of een klacht indienen via onze klachtenregeling (artikel 4.2.1 Jeugdwet).",
        "U kunt een klacht indienen bij de Autoriteit Persoonsgegevens (artikel 77 AVG), via "
        "autoriteitpersoonsgegevens.nl.",
        "U kunt ook de rechter vragen om een beslissing (artikel 79 AVG). Zijn wij een gemeente, dan maakt u eerst "
        "binnen zes weken bezwaar bij ons (artikel 34 UAVG). Anders dient u binnen zes weken een verzoekschrift in "
        "bij de rechtbank (artikel 35 UAVG).",
    ],
    "VL": [
        "U kunt eerst met ons praten, of met onze functionaris voor gegevensbescherming.",
        "Zijn wij een Vlaamse overheidsinstantie, dan kunt u een klacht indienen bij de Vlaamse Toezichtcommissie "
        "voor de verwerking van persoonsgegevens (artikel 77 AVG), via vlaanderen.be/vlaamse-toezichtcommissie.",
        "Zijn wij een private voorziening, dan kunt u een klacht indienen bij de Gegevensbeschermingsautoriteit "
        "(artikel 77 AVG), via gegevensbeschermingsautoriteit.be.",
        "U kunt ook naar de rechter stappen (artikel 79 AVG).",
    ],
}


MONTHS = ("januari februari maart april mei juni juli augustus september oktober november december").split()


def day_in_words(day: datetime.date) -> str:
    """A date as a Dutch letter writes it: 30 november 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def letter_context(record, organisation, requester=None) -> dict:
    jurisdiction = organisation.jurisdiction
    granted = record.decision == RequestDecision.GRANTED
    address = ""
    if requester is not None and requester.contact_confidentiality == ContactConfidentiality.NONE:
        address = requester.address
    return {
        "lang": "nl",
        "organisation": organisation.name,
        "today": day_in_words(timezone.localdate()),
        "reference": f"V-{record.pk}",
        "name": requester.full_name if requester is not None and not granted else "",
        "address": address if not granted else "",
        "received_on": day_in_words(record.received_on),
        "due_on": day_in_words(record.due_on),
        "answered_on": day_in_words(record.answered_on or timezone.localdate()),
        "term": TERM[jurisdiction],
        "months": rules.rules().for_jurisdiction(jurisdiction).request_answer_months,
        "granted": granted,
        "refusal": REFUSAL.get(record.legal_exception, "") if not granted else "",
        "answer": record.answer if not granted else "",
        "routes": ROUTES[jurisdiction],
    }


def letter_html(record, organisation, requester=None) -> str:
    return render_to_string("retention/answer_letter_nl.html", letter_context(record, organisation, requester))


def letter_pdf(record, organisation, requester=None) -> bytes:
    from weasyprint import HTML

    return HTML(string=letter_html(record, organisation, requester)).write_pdf()
