"""Bad input gets a clear message next to the field, in the user's language, and nothing is (half-)saved.

Dutch is the default; the language cookie switches to English. Kring's own Dutch texts may not be translated
yet, so expected messages are always computed with gettext under ``translation.override``.
"""

import datetime
import html
import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kring.audit.models import AccessLogEntry
from kring.cases.forms import CaseloadFilterForm
from kring.cases.models import Case, CaseNumberSequence, CaseTeamMember, Consent, Person

from .factories import case_form_data, person_form_data

TEN_MB = 10 * 1024 * 1024


@pytest.fixture
def w(world):
    a = world.a
    a.central = a.case.persons.get(is_central=True)
    a.other_person = a.case.persons.get(is_central=False)
    a.consent = Consent.objects.create(
        case=a.case,
        organisation=a.org,
        person=a.central,
        purpose="contact_network",
        given_on=datetime.date(2026, 1, 20),
        recorded_by=a.case_worker,
    )
    return world


def _client(user, language):
    client = Client()
    client.force_login(user)
    if language != "nl":
        client.cookies["django_language"] = language
    return client


def _state():
    """Everything a bad save could have left behind."""
    return {
        "cases": Case.objects.count(),
        "persons": Person.objects.count(),
        "case team": CaseTeamMember.objects.count(),
        "consents": Consent.objects.count(),
        "case history": Case.history.count(),
        "person history": Person.history.count(),
        "consent history": Consent.history.count(),
        "sequences": list(CaseNumberSequence.objects.values_list("last", flat=True)),
        "changes logged": AccessLogEntry.objects.filter(action__in=["create", "update", "delete"]).count(),
        "case rows": list(Case.objects.order_by("pk").values()),
        "person rows": list(Person.objects.order_by("pk").values()),
        "consent rows": list(Consent.objects.order_by("pk").values()),
    }


def field_errors(response, html_id):
    """The error messages shown next to the field with this id (the list the field's input points to)."""
    match = re.search(
        rf'<ul class="errorlist field-error" id="{re.escape(html_id)}_error"[^>]*>(.*?)</ul>',
        response.content.decode(),
        re.S,
    )
    if not match:
        return []
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def _message(language, make):
    with translation.override(language):
        return str(make())


def _validator_message(language, validator, value):
    with translation.override(language):
        try:
            validator(value)
        except ValidationError as error:
            return error.messages[0]
    raise AssertionError("the validator accepted the value")


def _today():
    return timezone.localdate()


def referral_data(w, **changes):
    data = {
        "family_name": "Familie Öztürk",
        "team": w.a.team.pk,
        "legal_context": "nl_voluntary",
        "safety_concern": "some",
        "central_reason": "Ayşe is de jongste.",
        "referral_date": "2026-02-01",
        "referrer_name": "",
        "referral_route": "school",
        "question": "Dat het thuis rustiger wordt.",
        "concerns": "",
        "person-TOTAL_FORMS": "3",
        "person-INITIAL_FORMS": "1",
        "person-MIN_NUM_FORMS": "1",
        "person-MAX_NUM_FORMS": "12",
        "person-0-first_name": "Ayşe",
        "person-0-last_name": "Öztürk",
        "person-0-birth_date": "2016-05-01",
        "person-0-gender": "female",
        "person-0-is_central": "on",
        "person-0-in_household": "on",
        "person-1-gender": "unknown",
        "person-2-gender": "unknown",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def case_data(case, **changes):
    return case_form_data(case, **changes)


def person_data(person, **changes):
    return {k: v for k, v in person_form_data(person, **changes).items() if v is not None}


REQUIRED = lambda: forms.Field.default_error_messages["required"]  # noqa: E731
INVALID_CHOICE = lambda value: (  # noqa: E731
    lambda: forms.ChoiceField.default_error_messages["invalid_choice"] % {"value": value}
)
INVALID_MODEL_CHOICE = lambda: forms.ModelChoiceField.default_error_messages["invalid_choice"]  # noqa: E731
TOMORROW = lambda: (_today() + datetime.timedelta(days=1)).isoformat()  # noqa: E731

# (id, url, POST data, id of the field the message belongs next to, the message)
CASES = [
    (
        "referral without central person",
        lambda w: f"/cases/new/{w.a.org.pk}/",
        lambda w: referral_data(
            w,
            **{
                "person-0-first_name": "",
                "person-0-last_name": "",
                "person-0-birth_date": "",
                "person-0-is_central": None,
                "person-0-in_household": None,
                "person-0-gender": "unknown",
            },
        ),
        "id_person-0-first_name",
        REQUIRED,
    ),
    (
        "referral with future birth date",
        lambda w: f"/cases/new/{w.a.org.pk}/",
        lambda w: referral_data(w, **{"person-0-birth_date": TOMORROW()}),
        "id_person-0-birth_date",
        lambda: gettext("The birth date cannot be in the future."),
    ),
    (
        "referral with birth date before 1900",
        lambda w: f"/cases/new/{w.a.org.pk}/",
        lambda w: referral_data(w, **{"person-1-first_name": "Opa", "person-1-birth_date": "1850-01-01"}),
        "id_person-1-birth_date",
        lambda: gettext("The birth date must be after 1900."),
    ),
    (
        "referral dated in the future",
        lambda w: f"/cases/new/{w.a.org.pk}/",
        lambda w: referral_data(w, referral_date=TOMORROW()),
        "id_referral_date",
        lambda: gettext("The referral date cannot be in the future."),
    ),
    (
        "referral with legal context of Flanders",
        lambda w: f"/cases/new/{w.a.org.pk}/",
        lambda w: referral_data(w, legal_context="vl_judicial"),
        "id_legal_context",
        INVALID_CHOICE("vl_judicial"),
    ),
    (
        "referral with team of another organisation",
        lambda w: f"/cases/new/{w.a.org.pk}/",
        lambda w: referral_data(w, team=w.b.team.pk),
        "id_team",
        INVALID_MODEL_CHOICE,
    ),
    (
        "referral with a non-numeric team",
        lambda w: f"/cases/new/{w.a.org.pk}/",
        lambda w: referral_data(w, team="Team A"),
        "id_team",
        INVALID_MODEL_CHOICE,
    ),
    (
        "referral with self-described gender left empty",
        lambda w: f"/cases/new/{w.a.org.pk}/",
        lambda w: referral_data(w, **{"person-0-gender": "other"}),
        "id_person-0-gender_description",
        lambda: gettext("Write how the person describes themselves."),
    ),
    (
        "edit with legal context of Flanders",
        lambda w: f"/cases/{w.a.case.pk}/edit/",
        lambda w: case_data(w.a.case, legal_context="vl_voluntary"),
        "id_legal_context",
        INVALID_CHOICE("vl_voluntary"),
    ),
    (
        "edit with team of another organisation",
        lambda w: f"/cases/{w.a.case.pk}/edit/",
        lambda w: case_data(w.a.case, team=w.b.team.pk),
        "id_team",
        INVALID_MODEL_CHOICE,
    ),
    (
        "closed without reason",
        lambda w: f"/cases/{w.a.case.pk}/edit/",
        lambda w: case_data(w.a.case, status="closed", closure_reason=""),
        "id_closure_reason",
        lambda: gettext("A closed case needs a reason for closing."),
    ),
    (
        "reason without closing",
        lambda w: f"/cases/{w.a.case.pk}/edit/",
        lambda w: case_data(w.a.case, status="active", closure_reason="moved"),
        "id_closure_reason",
        lambda: gettext("Only a closed case has a reason for closing."),
    ),
    (
        "edit without family name",
        lambda w: f"/cases/{w.a.case.pk}/edit/",
        lambda w: case_data(w.a.case, family_name="   "),
        "id_family_name",
        REQUIRED,
    ),
    (
        "person added with future birth date",
        lambda w: f"/cases/{w.a.case.pk}/persons/new/",
        lambda w: {"first_name": "Baby", "gender": "unknown", "birth_date": TOMORROW()},
        "id_birth_date",
        lambda: gettext("The birth date cannot be in the future."),
    ),
    (
        "person added with impossible date",
        lambda w: f"/cases/{w.a.case.pk}/persons/new/",
        lambda w: {"first_name": "Baby", "gender": "unknown", "birth_date": "2026-02-30"},
        "id_birth_date",
        lambda: forms.DateField.default_error_messages["invalid"],
    ),
    (
        "person added with bad e-mail",
        lambda w: f"/cases/{w.a.case.pk}/persons/new/",
        lambda w: {"first_name": "Buur", "gender": "unknown", "email": "buur@"},
        "id_email",
        lambda: forms.EmailField.default_validators[0].message,
    ),
    (
        "only central person made non-central",
        lambda w: f"/cases/{w.a.case.pk}/persons/{w.a.central.pk}/",
        lambda w: person_data(w.a.central, is_central=None),
        "id_is_central",
        lambda: gettext("A case needs at least one central person."),
    ),
    (
        "consent withdrawn before it was given",
        lambda w: f"/cases/{w.a.case.pk}/consents/new/",
        lambda w: {
            "person": w.a.central.pk,
            "purpose": "research",
            "given_on": "2026-02-01",
            "withdrawn_on": "2026-01-01",
        },
        "id_withdrawn_on",
        lambda: gettext("Consent cannot be withdrawn before it was given."),
    ),
    (
        "consent given in the future",
        lambda w: f"/cases/{w.a.case.pk}/consents/new/",
        lambda w: {"person": w.a.central.pk, "purpose": "research", "given_on": TOMORROW()},
        "id_given_on",
        lambda: gettext("Consent cannot be given in the future."),
    ),
    (
        "consent by a person of another case",
        lambda w: f"/cases/{w.a.case.pk}/consents/new/",
        lambda w: {"person": w.b.case.persons.first().pk, "purpose": "research", "given_on": "2026-02-01"},
        "id_person",
        INVALID_MODEL_CHOICE,
    ),
    (
        "withdrawal dated before the consent",
        lambda w: f"/cases/{w.a.case.pk}/consents/{w.a.consent.pk}/withdraw/",
        lambda w: {"withdrawn_on": "2026-01-19", "version": 1},
        "id_withdrawn_on",
        lambda: gettext("Consent cannot be withdrawn before it was given."),
    ),
    (
        "withdrawal dated in the future",
        lambda w: f"/cases/{w.a.case.pk}/consents/{w.a.consent.pk}/withdraw/",
        lambda w: {"withdrawn_on": TOMORROW(), "version": 1},
        "id_withdrawn_on",
        lambda: gettext("The withdrawal date cannot be in the future."),
    ),
    (
        "withdrawal without date",
        lambda w: f"/cases/{w.a.case.pk}/consents/{w.a.consent.pk}/withdraw/",
        lambda w: {"withdrawn_on": "", "version": 1},
        "id_withdrawn_on",
        REQUIRED,
    ),
    (
        "team member of another organisation",
        lambda w: f"/cases/{w.a.case.pk}/team/",
        lambda w: {"user": w.b.case_worker.pk, "role": "coordinator"},
        "id_user",
        INVALID_MODEL_CHOICE,
    ),
    (
        "team member with unknown role",
        lambda w: f"/cases/{w.a.case.pk}/team/",
        lambda w: {"user": w.a.coordinator.pk, "role": "boss"},
        "id_role",
        INVALID_CHOICE("boss"),
    ),
]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("name, url, data, field_id, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_a_message_next_to_the_field_and_saves_nothing(w, language, name, url, data, field_id, message):
    client = _client(w.a.case_worker, language)
    before = _state()

    response = client.post(url(w), data(w))

    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert field_errors(response, field_id) == [_message(language, message)]
    assert _state() == before


@pytest.mark.parametrize("language", ["nl", "en"])
def test_referral_without_any_central_person_says_so(w, language):
    client = _client(w.a.case_worker, language)
    before = _state()
    response = client.post(f"/cases/new/{w.a.org.pk}/", referral_data(w, **{"person-0-is_central": None}))
    assert response.status_code == 200
    expected = _message(language, lambda: gettext("A referral needs at least one central person."))
    assert expected in html.unescape(response.content.decode())
    assert _state() == before


@pytest.mark.parametrize(
    "field, field_id, url",
    [
        ("person-0-first_name", "id_person-0-first_name", lambda w: f"/cases/new/{w.a.org.pk}/"),
        ("family_name", "id_family_name", lambda w: f"/cases/new/{w.a.org.pk}/"),
        ("first_name", "id_first_name", lambda w: f"/cases/{w.a.case.pk}/persons/{w.a.other_person.pk}/"),
    ],
)
def test_ten_megabytes_in_a_name_field_gets_a_message(w, field, field_id, url):
    client = _client(w.a.case_worker, "nl")
    huge = "Ö" * (TEN_MB // 2)  # 10 MB once encoded
    if field == "first_name":
        data = person_data(w.a.other_person, first_name=huge)
    else:
        data = referral_data(w, **{field: huge})
    before = _state()

    response = client.post(url(w), data)

    assert response.status_code == 200
    assert field_errors(response, field_id) == [_validator_message("nl", MaxLengthValidator(100), huge)]
    assert _state() == before


def test_ten_megabytes_of_urlencoded_text_gets_a_message(w):
    client = _client(w.a.case_worker, "en")
    from urllib.parse import urlencode

    body = urlencode(case_data(w.a.case, family_name="x" * TEN_MB))
    before = _state()
    response = client.post(f"/cases/{w.a.case.pk}/edit/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert field_errors(response, "id_family_name") == [_validator_message("en", MaxLengthValidator(100), "x" * TEN_MB)]
    assert _state() == before


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999999"])
def test_tampered_version_is_refused_without_a_server_error(w, value):
    client = _client(w.a.case_worker, "en")
    before = _state()
    response = client.post(f"/cases/{w.a.case.pk}/edit/", case_data(w.a.case, family_name="Nieuw", version=value))
    assert response.status_code in (200, 409)
    assert Case.objects.get(pk=w.a.case.pk).family_name == w.a.case.family_name
    assert _state() == before


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(
    "url, data",
    [
        (lambda w: f"/cases/{w.a.case.pk}/edit/", lambda w: case_data(w.a.case, family_name="Zonder versie")),
        (
            lambda w: f"/cases/{w.a.case.pk}/persons/{w.a.other_person.pk}/",
            lambda w: person_data(w.a.other_person, first_name="Zonder versie"),
        ),
        (
            lambda w: f"/cases/{w.a.case.pk}/consents/{w.a.consent.pk}/withdraw/",
            lambda w: {"withdrawn_on": "2026-02-01"},
        ),
    ],
    ids=["case", "person", "consent"],
)
def test_save_without_the_starting_version_is_refused(w, language, url, data):
    """Without the version the form was opened at, a save could overwrite someone else's change unnoticed."""
    client = _client(w.a.case_worker, language)
    posted = {k: v for k, v in data(w).items() if k != "version"}
    before = _state()
    response = client.post(url(w), posted)
    assert response.status_code == 200
    expected = _message(
        language,
        lambda: (
            gettext("(Hidden field %(name)s) %(error)s")
            % {"name": "version", "error": forms.Field.default_error_messages["required"]}
        ),
    )
    assert expected in html.unescape(response.content.decode())
    assert _state() == before


# ---- the caseload's query string -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", [{"page": "abc"}, {"page": "-3"}, {"page": "1.5"}, {"page": "99999999999999999999"}, {"page": ""}]
)
def test_bad_page_number_shows_a_page(w, query):
    client = _client(w.a.case_worker, "nl")
    response = client.get("/cases/", query)
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert w.a.case.number in response.content.decode()


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(
    "query, field_id, message",
    [
        ({"status": "bogus"}, "id_status", INVALID_CHOICE("bogus")),
        ({"legal_context": "nl_anything"}, "id_legal_context", INVALID_CHOICE("nl_anything")),
        ({"team": "abc"}, "id_team", INVALID_MODEL_CHOICE),
        ({"team": "TEAM_B"}, "id_team", INVALID_MODEL_CHOICE),
        # The search box says the search is too long and that nothing was searched (item 16 of the security review).
        (
            {"q": "x" * 101},
            "id_q",
            lambda: (
                str(CaseloadFilterForm.base_fields["q"].error_messages["max_length"])
                % {"limit_value": 100, "show_value": 101}
            ),
        ),
    ],
    ids=["status", "legal_context", "team-text", "team-of-b", "q-too-long"],
)
def test_bogus_filter_value_gets_a_message_next_to_the_filter(w, language, query, field_id, message):
    client = _client(w.a.case_worker, language)
    query = {k: (w.b.team.pk if v == "TEAM_B" else v) for k, v in query.items()}
    response = client.get("/cases/", query)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert field_errors(response, field_id) == [_message(language, message)]
    assert w.b.case.number not in response.content.decode()


# ---- CSRF ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, data",
    [
        (lambda w: f"/cases/{w.a.case.pk}/edit/", lambda w: case_data(w.a.case, family_name="Zonder token")),
        (lambda w: f"/cases/new/{w.a.org.pk}/", lambda w: referral_data(w)),
        (lambda w: f"/cases/{w.a.case.pk}/persons/{w.a.other_person.pk}/remove/", lambda w: {}),
        (
            lambda w: f"/cases/{w.a.case.pk}/consents/{w.a.consent.pk}/withdraw/",
            lambda w: {"withdrawn_on": "2026-02-01", "version": 1},
        ),
    ],
    ids=["edit", "referral", "person_remove", "consent_withdraw"],
)
def test_post_without_csrf_token_is_refused_with_403(w, url, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.a.case_worker)
    before = _state()
    response = client.post(url(w), data(w))
    assert response.status_code == 403
    assert response["Content-Language"] == "nl"
    assert _state() == before


def test_post_with_csrf_token_is_accepted(w):
    """The counterpart of the refusals above: the same client with the token from the form gets through."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.a.case_worker)
    form = client.get(f"/cases/{w.a.case.pk}/edit/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = client.post(
        f"/cases/{w.a.case.pk}/edit/", {**case_data(w.a.case, family_name="Met token"), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=w.a.case.pk).family_name == "Met token"


# ---- no input makes a server error ---------------------------------------------------------------------------

REFERRAL_FIELDS = [
    "family_name",
    "team",
    "legal_context",
    "safety_concern",
    "central_reason",
    "referral_date",
    "referrer_name",
    "referral_route",
    "question",
    "concerns",
    "person-TOTAL_FORMS",
    "person-INITIAL_FORMS",
    "person-0-first_name",
    "person-0-last_name",
    "person-0-birth_date",
    "person-0-gender",
    "person-0-is_central",
    "person-0-email",
    "person-1-first_name",
    "person-1-birth_date",
    "person-1-gender",
]
TEXT = st.text(st.characters(codec="utf-8"), max_size=300)


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.dictionaries(st.sampled_from(REFERRAL_FIELDS), TEXT, min_size=1, max_size=6))
def test_random_text_in_the_referral_form_never_makes_a_server_error(w, changes):
    client = Client(raise_request_exception=False)
    client.force_login(w.a.case_worker)
    cases_before = Case.objects.count()
    response = client.post(f"/cases/new/{w.a.org.pk}/", referral_data(w, **changes))
    assert response.status_code in (200, 302), response.status_code
    assert Case.objects.count() == cases_before + (1 if response.status_code == 302 else 0)


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=st.dictionaries(st.sampled_from(["q", "status", "legal_context", "team", "page"]), TEXT, min_size=1))
def test_random_caseload_query_never_makes_a_server_error(w, query):
    client = Client(raise_request_exception=False)
    client.force_login(w.a.case_worker)
    response = client.get("/cases/", query)
    assert response.status_code == 200


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.dictionaries(
        st.sampled_from(["user", "case", "date_from", "date_until", "page", "format"]), TEXT, min_size=1
    )
)
def test_random_access_log_query_never_makes_a_server_error(w, query):
    client = Client(raise_request_exception=False)
    client.force_login(w.a.privacy_officer)
    response = client.get("/access-log/", query)
    assert response.status_code == 200
