"""Network figures on a small hand-built network; every expected number is counted by hand below."""

import datetime

from kring.network.core.graph import EmotionalTie, Member, Network, ParentLink, Partnership, SystemTie
from kring.network.core.stats import changes_between, invitable, summarize

D = datetime.date


def _network():
    return Network(
        members=(
            Member("c", "Kim", central=True, household=True, birth_date=D(2015, 3, 1)),
            Member(
                "m",
                "Mama",
                sex="female",
                domain="household",
                ring=1,
                support=frozenset({"practical", "emotional"}),
                safety="safe",
                may_invite=True,
                birth_date=D(1985, 1, 1),
            ),
            Member(
                "f",
                "Papa",
                sex="male",
                domain="family",
                ring=2,
                death_date=D(2018, 6, 1),
                deceased=True,
                safety="safe",
                may_invite=True,
            ),  # died: not in the network any more
            Member(
                "g",
                "Oma",
                domain="family",
                ring=1,
                support=frozenset({"information"}),
                safety="safe",
                may_invite=True,
                reachable=False,
            ),  # cannot be reached: not invitable
            Member(
                "fr", "Fien", domain="friends", ring=2, support=frozenset({"emotional"}), safety="safe", may_invite=True
            ),
            Member(
                "t",
                "Juf",
                domain="school_work",
                ring=3,
                support=frozenset({"information"}),
                safety="unknown",
                may_invite=True,
            ),  # safety unknown: not invitable
            Member(
                "p",
                "Consulent",
                domain="professional",
                ring=3,
                support=frozenset({"information"}),
                safety="safe",
                may_invite=True,
            ),
            Member("n", "Buur"),  # no domain and no ring: informal, unspecified
            Member("x", "Zwangerschap", kind="pregnancy"),  # a symbol, not a person
        ),
        parents=(ParentLink("m", "c"), ParentLink("f", "c")),
        partners=(
            Partnership("m", "f", "married", start=D(2005, 1, 1), end=D(2016, 1, 1)),
            Partnership("m", "f", "divorced", start=D(2016, 1, 1)),
        ),
        emotional=(EmotionalTie("m", "g", "conflict", start=D(2018, 1, 1)),),
        systems=(
            SystemTie("1", "School", "school", member="c", strength="strong", start=D(2016, 1, 1)),
            SystemTie("2", "Huisarts", "gp", strength="strong"),
            SystemTie("3", "Wijkteam", "social_services", strength="stressful"),
        ),
    )


def test_size_and_composition():
    s = summarize(_network(), small_threshold=6)
    # Mama, Oma, Fien, Juf, Consulent, Buur (not Kim: central; not Papa: died; not the pregnancy).
    assert s.size == 6
    assert (s.informal, s.professional) == (5, 1)
    assert s.informal_share == round(5 / 6, 4)
    assert s.central == ("Kim",)
    assert s.by_domain == {
        "household": 1,
        "family": 1,
        "friends": 1,
        "school_work": 1,
        "neighbourhood_clubs": 0,
        "professional": 1,
        "unspecified": 1,
    }
    assert s.by_ring == {"1": 2, "2": 1, "3": 2, "unspecified": 1}
    assert s.domain_ring["household"] == {"1": 1, "2": 0, "3": 0, "unspecified": 0}
    assert s.domain_ring["family"]["1"] == 1 and s.domain_ring["friends"]["2"] == 1
    assert s.domain_ring["school_work"]["3"] == 1 and s.domain_ring["professional"]["3"] == 1
    assert s.domain_ring["unspecified"]["unspecified"] == 1
    assert sum(sum(row.values()) for row in s.domain_ring.values()) == s.size


def test_support_invitable_and_system_ties():
    s = summarize(_network(), small_threshold=6)
    assert s.support == {
        "practical": ("Mama",),
        "emotional": ("Mama", "Fien"),
        "information": ("Oma", "Juf", "Consulent"),
    }
    assert s.invitable == ("Mama", "Fien", "Consulent")
    assert [m.id for m in invitable(_network())] == ["m", "fr", "p"]
    assert s.system_ties == {"strong": 2, "tenuous": 0, "stressful": 1}


def test_small_informal_network_warning():
    assert summarize(_network(), small_threshold=6).small_informal_network is True  # 5 < 6
    assert summarize(_network(), small_threshold=5).small_informal_network is False
    empty = summarize(Network(members=(Member("c", "Kim", central=True),)), small_threshold=5)
    assert (empty.size, empty.informal_share, empty.small_informal_network) == (0, None, True)


def test_summary_at_a_moment_counts_the_living_then():
    # Before 2018-06-01 Papa was alive, so he is part of the network on that day.
    assert summarize(_network(), small_threshold=5, moment=D(2017, 1, 1)).size == 7


def test_as_dict_is_plain_data():
    import json

    data = summarize(_network(), small_threshold=5).as_dict()
    assert json.loads(json.dumps(data)) == data


def test_changes_between():
    network = _network()
    changes = changes_between(network, D(2014, 1, 1), D(2019, 1, 1))
    assert changes["members_added"] == ["c"]  # Kim was born in 2015
    assert changes["members_ended"] == []
    assert changes["members_died"] == ["f"]
    added, ended = changes["ties_added"], changes["ties_ended"]
    assert [(t.parent, t.child) for t in added["parents"]] == [("m", "c"), ("f", "c")]
    assert [t.kind for t in added["partners"]] == ["divorced"]
    assert [t.kind for t in ended["partners"]] == ["married"]
    assert [t.kind for t in added["emotional"]] == ["conflict"]
    assert [t.system for t in added["systems"]] == ["School"]
    assert ended["parents"] == ended["systems"] == ended["emotional"] == []
    # The other way round, what was added has ended.
    back = changes_between(network, D(2019, 1, 1), D(2014, 1, 1))
    assert back["members_ended"] == ["c"] and [t.kind for t in back["ties_ended"]["partners"]] == ["divorced"]
    assert changes_between(network, D(2019, 1, 1), D(2019, 1, 1))["ties_added"]["partners"] == []
