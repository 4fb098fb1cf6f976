"""Issue 15.3: parental authority per child, and who may consent by age and jurisdiction (decisions 156-160).

The boundaries are checked on the birthday itself: a child born N years ago today is N today and N-1 yesterday."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from kring.audit.models import AccessLogEntry
from kring.cases import consent_rules, services
from kring.cases.models import Consent, ParentalAuthority, Person
from kring.trajectories.consents import consent_gaps, purposes_in_force
from tests.factories import actor, make_case
from tests.test_api import api_client

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
SHARE = "share_with_network"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def born_years_ago(years):
    """Born ``years`` years ago today (28 February for a child born on 29 February)."""
    try:
        return TODAY.replace(year=TODAY.year - years)
    except ValueError:
        return TODAY.replace(year=TODAY.year - years, day=28)


class Family:
    """A case of its own with a child Sanne, her mother Mirjam, her father Karel and her aunt Els."""

    def __init__(self, ns, child_age, record_authority=True):
        self.ns = ns
        self.case = make_case(ns.team, case_worker=ns.case_worker, persons=0)
        self.sanne = self.person("Sanne", born_years_ago(child_age), central=True)
        self.mirjam = self.person("Mirjam", datetime.date(1984, 5, 2), relation="moeder")
        self.karel = self.person("Karel", datetime.date(1982, 9, 9), relation="vader")
        self.els = self.person("Els", datetime.date(1979, 1, 1), relation="tante")
        if record_authority:
            for parent in (self.mirjam, self.karel):
                self.authority(parent)

    def person(self, first, born, relation="", central=False):
        return Person.objects.create(
            case=self.case,
            organisation=self.case.organisation,
            first_name=first,
            last_name="de Groot",
            birth_date=born,
            relation=relation,
            is_central=central,
        )

    def authority(self, holder, **fields):
        data = {
            "child": self.sanne.pk,
            "kind": "parent",
            "holder": holder.pk if holder else None,
            "source": "by_law",
            "starts_on": self.sanne.birth_date,
            **fields,
        }
        return services.record_authority(actor(self.ns.case_worker), self.case.pk, data)

    def consent(self, giver, given_on=TODAY, purposes=(SHARE,)):
        data = {"person": giver.pk, "purposes": list(purposes), "given_on": given_on}
        return services.record_consents(actor(self.ns.case_worker), self.case.pk, data)

    def refused(self, giver, given_on=TODAY, purposes=(SHARE,)):
        with pytest.raises(ValidationError) as caught:
            self.consent(giver, given_on, purposes)
        saved = Consent.objects.filter(case=self.case, person=giver, given_on=given_on, purpose__in=purposes)
        assert not saved.exists()
        return " ".join(caught.value.message_dict["person"])

    def gaps(self, purpose=SHARE):
        return consent_gaps(self.case.pk)[purpose]


# ---- the Netherlands -----------------------------------------------------------------------------------------


def test_nl_under_twelve_a_holder_consents_and_the_child_cannot(world):
    family = Family(world.a, 12)  # twelve today, eleven yesterday
    message = family.refused(family.sanne, YESTERDAY)
    assert "was 11 on that day" in message and "Mirjam de Groot" in message and "Karel de Groot" in message
    family.consent(family.mirjam, YESTERDAY)


def test_nl_twelve_to_fifteen_needs_the_child_and_every_holder(world):
    # Jeugdwet art. 7.3.4 lid 2: the young person and the parents who hold authority (decision 217).
    family = Family(world.a, 12)
    assert family.gaps() == ["consent of Sanne de Groot themselves and of every holder of parental authority"]
    family.consent(family.sanne)  # twelve today: her part
    assert family.gaps() == [
        "consent of every holder of parental authority over Sanne de Groot (Sanne de Groot gave it)"
    ]
    assert SHARE not in purposes_in_force(family.case.pk)
    family.consent(family.karel)
    assert family.gaps() == ["consent of Mirjam de Groot, who also holds parental authority over Sanne de Groot"]
    assert SHARE not in purposes_in_force(family.case.pk)
    family.consent(family.mirjam)
    assert family.gaps() == []
    assert SHARE in purposes_in_force(family.case.pk)


def test_nl_under_twelve_one_parent_is_not_enough_when_both_hold_authority(world):
    family = Family(world.a, 8)
    family.consent(family.mirjam)
    assert family.gaps() == ["consent of Karel de Groot, who also holds parental authority over Sanne de Groot"]
    family.consent(family.karel)
    assert family.gaps() == []


def test_nl_one_parent_is_enough_when_only_she_holds_authority(world):
    family = Family(world.a, 8, record_authority=False)
    family.authority(family.mirjam)
    family.consent(family.mirjam)
    assert family.gaps() == []


def test_vl_one_parent_is_enough_when_both_hold_authority(world):
    # Belgian BW art. 373-374: a parent acting alone is presumed to act with the other's agreement.
    family = Family(world.b, 8)
    family.consent(family.mirjam)
    assert family.gaps() == []


def test_nl_the_dutch_words_of_the_missing_joint_consent(world):
    family = Family(world.a, 14)
    with translation.override("nl"):
        (gap,) = family.gaps()
        family.consent(family.sanne)
        family.consent(family.mirjam)
        (other,) = family.gaps()
    assert gap == "toestemming van Sanne de Groot zelf én van iedere gezaghebbende"
    assert other == "toestemming van Karel de Groot, die ook het gezag heeft over Sanne de Groot"


@pytest.mark.parametrize("age", [13, 17])
def test_nl_a_young_person_judged_unable_is_represented_by_the_holders(world, age):
    # Jeugdwet art. 7.3.15: from twelve, a young person who cannot judge their interests reasonably is represented
    # by the holders of authority (decision 217).
    family = Family(world.a, age)
    services.record_capability(
        actor(world.a.case_worker),
        family.case.pk,
        {"child": family.sanne.pk, "purpose": SHARE, "capable": False, "judged_on": TODAY, "note": "Overzicht mist."},
    )
    assert "cannot judge their own interests" in family.refused(family.sanne)
    family.consent(family.mirjam)
    family.consent(family.karel)
    assert family.gaps() == []


def test_nl_a_mother_of_sixteen_declared_of_age_by_the_court_holds_authority(world):
    # BW 1:253ha (decision 218): only as a court decision with its reference; without it she is refused.
    family = Family(world.a, 0, record_authority=False)
    young_mother = family.person("Noor", born_years_ago(16) - datetime.timedelta(days=30), relation="moeder")
    with pytest.raises(ValidationError) as caught:
        family.authority(young_mother)
    assert "1:253ha" in caught.value.message_dict["holder"][0]
    family.authority(young_mother, source="court", court_reference="C/05/401234 / FA RK 26-77")
    assert ParentalAuthority.objects.filter(case=family.case, holder=young_mother).exists()
    too_young = family.person("Iris", born_years_ago(15), relation="moeder")
    with pytest.raises(ValidationError):
        family.authority(too_young, source="court", court_reference="C/05/401235 / FA RK 26-78")


def test_vl_has_no_declaration_of_age_for_a_minor_mother(world):
    family = Family(world.b, 0, record_authority=False)
    young_mother = family.person("Noor", born_years_ago(17), relation="moeder")
    with pytest.raises(ValidationError):
        family.authority(young_mother, source="court", court_reference="AR 26/123/A")
    assert not ParentalAuthority.objects.filter(case=family.case).exists()


def test_nl_fifteen_yesterday_sixteen_today(world):
    family = Family(world.a, 16)
    family.consent(family.mirjam, YESTERDAY)  # fifteen: a holder's part still counts
    message = family.refused(family.mirjam, TODAY)
    assert "was 16 on that day" in message and "consents for themselves" in message
    family.consent(family.sanne, TODAY)
    assert family.gaps() == []


def test_nl_sixteen_needs_the_young_person_only(world):
    family = Family(world.a, 17)
    assert family.gaps() == ["consent of Sanne de Groot themselves"]
    family.consent(family.sanne)
    assert family.gaps() == []


def test_an_aunt_without_authority_is_refused_and_told_who_can(world):
    family = Family(world.a, 8)
    message = family.refused(family.els)
    assert message.startswith("Els de Groot holds no parental authority over Sanne de Groot")
    assert "Mirjam de Groot" in message and "Karel de Groot" in message
    with translation.override("nl"):
        with pytest.raises(ValidationError) as caught:
            family.consent(family.els)
    dutch = caught.value.message_dict["person"][0]
    assert "heeft op die dag geen gezag over Sanne de Groot" in dutch and "Mirjam de Groot" in dutch


def test_the_records_decide_over_the_relation_word(world):
    # Karel is "vader" but holds no authority: only Mirjam's authority is recorded.
    family = Family(world.a, 8, record_authority=False)
    family.authority(family.mirjam)
    message = family.refused(family.karel)
    assert "holds no parental authority" in message and "Mirjam de Groot" in message


def test_authority_ended_before_the_consent_date(world):
    family = Family(world.a, 8, record_authority=False)
    record = family.authority(family.karel)
    family.authority(family.mirjam)
    ended = TODAY - datetime.timedelta(days=10)
    services.end_authority(actor(world.a.case_worker), family.case.pk, record.pk, ended, record.version)
    family.consent(family.karel, ended - datetime.timedelta(days=1))  # the day before it ended
    message = family.refused(family.karel, ended)
    assert "holds no parental authority over Sanne de Groot on that day" in message
    assert "Karel" not in message.split(":")[-1]


def test_without_recorded_authority_the_relation_word_decides_and_a_warning_says_so(world, client):
    family = Family(world.a, 8, record_authority=False)
    family.consent(family.karel)  # "vader": a parent by the relation word (decision 159)
    assert "Els de Groot (tante)" not in family.refused(family.els)
    facts = consent_rules.case_facts(family.case)
    (warning,) = consent_rules.authority_warnings(facts, TODAY)
    assert "Parental authority over Sanne de Groot is not recorded" in warning
    client.force_login(world.a.case_worker)
    page = client.get(reverse("cases:detail", args=[family.case.pk])).content.decode()
    assert "Het gezag over Sanne de Groot is niet vastgelegd" in page
    family.authority(family.mirjam)
    assert consent_rules.authority_warnings(consent_rules.case_facts(family.case), TODAY) == []


def test_an_institution_holder_consents_through_the_person_acting_for_it(world):
    family = Family(world.a, 8, record_authority=False)
    guardian = family.person("Ilse", datetime.date(1990, 3, 3), relation="jeugdbeschermer")
    message_before = family.refused(guardian)
    assert "holds no parental authority" in message_before
    family.authority(
        None,
        kind="institution",
        institution="Jeugdbescherming Gelderland",
        source="court",
        court_reference="C/05/123456 / JE RK 24-101",
    )
    assert "Jeugdbescherming Gelderland" in family.refused(family.mirjam)
    family.authority(
        guardian,
        kind="institution",
        institution="Jeugdbescherming Gelderland",
        source="court",
        court_reference="C/05/123456 / JE RK 24-101",
    )
    family.consent(guardian)
    assert family.gaps() == []


# ---- Flanders ------------------------------------------------------------------------------------------------


def test_vl_twelve_today_consents_alone_eleven_yesterday_does_not(world):
    family = Family(world.b, 12)
    message = family.refused(family.sanne, YESTERDAY)
    assert "was 11 on that day" in message
    family.consent(family.sanne, TODAY)
    assert family.gaps() == []
    assert "consents for themselves" in family.refused(family.mirjam, TODAY)


def test_vl_under_twelve_the_child_consents_when_judged_capable_for_that_purpose(world):
    family = Family(world.b, 10)
    worker = actor(world.b.case_worker)
    family.refused(family.sanne)
    services.record_capability(
        worker,
        family.case.pk,
        {"child": family.sanne.pk, "purpose": SHARE, "capable": True, "judged_on": TODAY, "note": "Begrijpt het."},
    )
    family.consent(family.sanne)
    assert family.gaps() == []
    family.refused(family.sanne, purposes=("research",))  # judged for one purpose only


def test_vl_from_twelve_a_judgement_of_incapability_returns_it_to_the_holders(world):
    family = Family(world.b, 14)
    services.record_capability(
        actor(world.b.case_worker),
        family.case.pk,
        {"child": family.sanne.pk, "purpose": SHARE, "capable": False, "judged_on": TODAY, "note": "Te onrustig."},
    )
    assert "cannot judge their own interests" in family.refused(family.sanne)
    family.consent(family.mirjam)
    assert family.gaps() == []


def test_a_capability_judgement_needs_reasons(world):
    family = Family(world.b, 10)
    with pytest.raises(ValidationError) as caught:
        services.record_capability(
            actor(world.b.case_worker),
            family.case.pk,
            {"child": family.sanne.pk, "purpose": SHARE, "capable": True, "judged_on": TODAY, "note": ""},
        )
    assert "note" in caught.value.message_dict


# ---- validation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"holder": "child"}, "holder"),
        ({"holder": "other_case"}, "holder"),
        ({"starts_on": TODAY + datetime.timedelta(days=1)}, "starts_on"),
        ({"source": "court"}, "court_reference"),
        ({"source": "other"}, "notes"),
        ({"kind": "institution", "holder": None}, "institution"),
        ({"institution": "Iets"}, "institution"),
        ({"holder": "minor"}, "holder"),
        ({"holder": None}, "holder"),
    ],
)
def test_authority_input_is_validated_and_nothing_is_saved(world, changes, field):
    family = Family(world.a, 8, record_authority=False)
    other = make_case(world.a.team, case_worker=world.a.case_worker).persons.first()
    minor = family.person("Bram", born_years_ago(17), relation="broer")
    holders = {"child": family.sanne, "other_case": other, "minor": minor}
    holder = changes.pop("holder", family.mirjam)
    holder = holders.get(holder, holder) if isinstance(holder, str) else holder
    with pytest.raises(ValidationError) as caught:
        family.authority(holder, **changes)
    assert field in caught.value.message_dict
    assert not ParentalAuthority.objects.filter(case=family.case).exists()


def test_ending_an_authority_checks_the_date_and_the_version(world):
    family = Family(world.a, 8, record_authority=False)
    record = family.authority(family.mirjam)
    worker = actor(world.a.case_worker)
    with pytest.raises(ValidationError):
        services.end_authority(worker, family.case.pk, record.pk, record.starts_on, record.version)
    ended = services.end_authority(worker, family.case.pk, record.pk, YESTERDAY, record.version)
    assert ended.version == 2 and ended.ended_on == YESTERDAY
    with pytest.raises(ValidationError):
        services.end_authority(worker, family.case.pk, record.pk, TODAY, ended.version)


def test_the_rules_file_is_checked():
    good = consent_rules.RULES_FILE.read_text(encoding="utf-8")
    assert consent_rules.parse_rules(good)["NL"][1].who == "child_and_holders"
    with pytest.raises(ImproperlyConfigured, match="gap"):
        consent_rules.parse_rules(good.replace("from_age = 16", "from_age = 17"))
    with pytest.raises(ImproperlyConfigured, match="unknown who"):
        consent_rules.parse_rules(good.replace('who = "child"', 'who = "aunt"', 1))
    with pytest.raises(ImproperlyConfigured, match="no bands for VL"):
        consent_rules.parse_rules(good.split("[VL]")[0])
    with pytest.raises(ImproperlyConfigured, match='holders must be "all" or "any"'):
        consent_rules.parse_rules(good.replace('holders = "all"', 'holders = "some"'))
    with pytest.raises(ImproperlyConfigured, match="unknown keys"):
        consent_rules.parse_rules(good.replace('holders = "any"', 'holders = "any"\nholder = "any"'))


# ---- pages, API and the access log ---------------------------------------------------------------------------


def test_the_authority_page_records_and_ends_an_authority(world, client):
    family = Family(world.a, 8, record_authority=False)
    client.force_login(world.a.case_worker)
    url = reverse("cases:authority", args=[family.case.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "child": family.sanne.pk,
            "kind": "parent",
            "holder": family.mirjam.pk,
            "source": "by_law",
            "starts_on": family.sanne.birth_date.isoformat(),
        },
    )
    assert response.status_code == 302
    record = ParentalAuthority.objects.get(case=family.case)
    refused = client.post(
        url,
        {
            "child": family.sanne.pk,
            "kind": "parent",
            "holder": family.sanne.pk,
            "source": "by_law",
            "starts_on": family.sanne.birth_date.isoformat(),
        },
    )
    assert refused.status_code == 200 and refused.context["form"].errors["holder"]
    end = reverse("cases:authority_end", args=[family.case.pk, record.pk])
    assert client.post(end, {"ended_on": YESTERDAY.isoformat(), "version": 1}).status_code == 302
    record.refresh_from_db()
    assert record.ended_on == YESTERDAY
    with translation.override("nl"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Gezag" in page and "Mirjam de Groot" in page


def test_the_consent_form_shows_the_refusal_beside_the_person(world, client):
    family = Family(world.a, 8)
    client.force_login(world.a.case_worker)
    response = client.post(
        reverse("cases:consent_add", args=[family.case.pk]),
        {"person": family.els.pk, "purpose": [SHARE], "given_on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert "heeft op die dag geen gezag over Sanne de Groot" in response.context["form"].errors["person"][0]


def test_api_records_lists_and_ends_authority_and_logs_it(world):
    family = Family(world.a, 8, record_authority=False)
    client = api_client(world.a.case_worker)
    base = f"/api/v1/cases/{family.case.pk}/authority/"
    since = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    created = client.post(
        base,
        {
            "child": family.sanne.pk,
            "kind": "parent",
            "holder": family.mirjam.pk,
            "source": "by_law",
            "starts_on": family.sanne.birth_date.isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    record_id = created.json()["id"]
    assert AccessLogEntry.objects.filter(
        id__gt=since, record_type="parental_authority", record_id=str(record_id), action="create"
    ).exists()
    listed = client.get(base)
    assert [r["holder_name"] for r in listed.json()] == ["Mirjam de Groot"]
    assert AccessLogEntry.objects.filter(id__gt=since, record_type="parental_authority", action="view").exists()
    bad = client.post(
        base,
        {
            "child": family.sanne.pk,
            "kind": "parent",
            "holder": family.sanne.pk,
            "source": "by_law",
            "starts_on": "2020-01-01",
        },
        format="json",
    )
    assert bad.status_code == 400 and "holder" in bad.json()
    end = f"{base}{record_id}/end/"
    assert client.post(end, {"ended_on": YESTERDAY.isoformat(), "version": 1}, format="json").status_code == 200
    assert client.post(end, {"ended_on": YESTERDAY.isoformat(), "version": 1}, format="json").status_code == 409
    refused = client.post(
        f"/api/v1/cases/{family.case.pk}/consents/",
        {"person": family.els.pk, "purpose": SHARE, "given_on": TODAY.isoformat()},
        format="json",
    )
    assert refused.status_code == 400 and "geen gezag over Sanne de Groot" in refused.json()["person"][0]


def test_outsiders_cannot_read_or_record_authority(world):
    family = Family(world.a, 8)
    base = f"/api/v1/cases/{family.case.pk}/authority/"
    outsider = api_client(world.a.other_worker)
    assert outsider.get(base).status_code == 404
    response = outsider.post(
        base,
        {
            "child": family.sanne.pk,
            "kind": "parent",
            "holder": family.els.pk,
            "source": "by_law",
            "starts_on": "2020-01-01",
        },
        format="json",
    )
    assert response.status_code == 404
    assert ParentalAuthority.objects.filter(case=family.case).count() == 2


def test_a_consent_dated_before_the_birth_is_refused_not_a_server_error(world):
    family = Family(world.a, 3)
    message = family.refused(family.sanne, family.sanne.birth_date - datetime.timedelta(days=1))
    assert "dated before Sanne de Groot was born" in message


def test_the_method_needs_name_what_is_missing_and_the_first_invitation_gate_says_it(world):
    from kring.trajectories import consents as trajectory_consents
    from kring.trajectories import services as trajectory_services

    family = Family(world.a, 13)
    trajectory = trajectory_services.offer_trajectory(
        actor(world.a.case_worker), family.case.pk, "fnb", TODAY - datetime.timedelta(days=5)
    )
    for parent in (family.mirjam, family.karel):  # both hold authority: in the Netherlands both consent
        family.consent(parent, purposes=trajectory_consents.needed_purposes("fnb"))
    needs = trajectory_consents.consent_needs(trajectory)
    assert needs and all(not need.given for need in needs)
    assert all(
        need.missing == "consent of Sanne de Groot themselves (a holder of parental authority gave it)"
        for need in needs
    )
    assert "Sanne de Groot themselves" in needs[0].text
    family.consent(family.sanne, purposes=trajectory_consents.needed_purposes("fnb"))
    assert trajectory_consents.missing_consents(trajectory) == []
