"""Names and relations for the network members added to a family at random."""

from kring.cases.choices import (
    Gender,
)

# --- Network members added at random ---------------------------------------------------------------------

# Given names and family names per language, for the relatives and acquaintances added at random.
NAMES = {
    "VL": {
        "v": ["Els", "An", "Sofie", "Lies", "Veerle", "Inge", "Hilde", "Marleen", "Greet", "Kaat"],
        "m": ["Koen", "Bart", "Wim", "Stijn", "Geert", "Filip", "Jan", "Luc", "Ward", "Pieter-Jan"],
        "last": [
            "Vermeersch",
            "De Wolf",
            "Van Hoecke",
            "Bogaert",
            "De Meyer",
            "Verbeke",
            "De Pauw",
            "Cools",
            "Pauwels",
            "Segers",
            "Aerts",
            "Van Hove",
        ],
    },
    "NL": {
        "v": ["Anouk", "Marieke", "Petra", "Linda", "Femke", "Wendy", "Ingrid", "Tineke", "Ria", "Nicole"],
        "m": ["Erik", "Mark", "Jeroen", "Rob", "Martijn", "Bas", "Henk", "Gert", "Arjen", "Kees"],
        "last": [
            "van den Berg",
            "Kok",
            "Verbeek",
            "Peters",
            "Dijkstra",
            "van Wijk",
            "Schouten",
            "Prins",
            "Huisman",
            "Koster",
            "Timmermans",
            "van der Heijden",
        ],
    },
    "Arabisch": {
        "v": ["Khadija", "Nadia", "Malika", "Houda", "Zahra"],
        "m": ["Ahmed", "Hassan", "Abdelkader", "Mustafa", "Driss"],
        "last": ["Azzouzi", "Chakir", "El Khattabi", "Ouhadi", "Tahiri"],
    },
    "Turks": {
        "v": ["Fatma", "Emine", "Hatice", "Sevgi", "Aylin"],
        "m": ["Ali", "Hüseyin", "Mustafa", "Osman", "İbrahim"],
        "last": ["Demir", "Çelik", "Aydın", "Arslan", "Doğan", "Koç"],
    },
    "Pools": {
        "v": ["Katarzyna", "Magdalena", "Anna", "Ewa", "Joanna"],
        "m": ["Tomasz", "Krzysztof", "Marek", "Paweł", "Andrzej"],
        "last": ["Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński"],
    },
    "Frans": {
        "v": ["Marie", "Nathalie", "Christine", "Fatoumata", "Aïssatou"],
        "m": ["Jean", "Olivier", "Luc", "Mamadou", "Ousmane"],
        "last": ["Dupont", "Leclercq", "Martin", "Lefèvre", "Bah", "Sow"],
    },
    "Vietnamees": {
        "v": ["Hoa", "Mai", "Thu", "Linh"],
        "m": ["Hung", "Duc", "Long", "Quang"],
        "last": ["Tran", "Le", "Pham", "Hoang"],
    },
    "Papiaments": {
        "v": ["Shurmeley", "Quisette", "Ruthsel"],
        "m": ["Edsel", "Giovanni", "Ruendel"],
        "last": ["Statia", "Rosaria", "Isenia", "Janga"],
    },
}

# (relation to the central person, sex, youngest, oldest, whose family name, local acquaintance?)
# "family": the case's family name; "mother": the mother's; "central": the central person's; "other": any.
CHILD_NETWORK = {
    "VL": [
        ("grootmoeder (moederskant)", "v", 58, 78, "other", False),
        ("grootvader (moederskant)", "m", 60, 80, "mother", False),
        ("grootvader (vaderskant)", "m", 60, 80, "family", False),
        ("tante (zus van mama)", "v", 28, 50, "mother", False),
        ("nonkel (broer van papa)", "m", 28, 52, "family", False),
        ("meter", "v", 28, 55, "other", False),
        ("peter", "m", 28, 55, "other", False),
        ("buurvrouw", "v", 35, 75, "other", True),
        ("buurman", "m", 35, 75, "other", True),
        ("klastitularis", "v", 25, 60, "other", True),
        ("trainer voetbalclub", "m", 22, 55, "other", True),
        ("leiding jeugdbeweging", "v", 18, 23, "other", True),
        ("vriendin van mama", "v", 28, 50, "other", True),
    ],
    "NL": [
        ("oma (moederskant)", "v", 58, 78, "other", False),
        ("opa (moederskant)", "m", 60, 80, "mother", False),
        ("opa (vaderskant)", "m", 60, 80, "family", False),
        ("tante (zus van moeder)", "v", 28, 50, "mother", False),
        ("oom (broer van vader)", "m", 28, 52, "family", False),
        ("buurvrouw", "v", 35, 75, "other", True),
        ("buurman", "m", 35, 75, "other", True),
        ("mentor op school", "v", 25, 60, "other", True),
        ("trainer voetbalclub", "m", 22, 55, "other", True),
        ("jongerenwerker", "m", 24, 45, "other", True),
        ("vriendin van moeder", "v", 28, 50, "other", True),
    ],
}
PARENT_NETWORK = [
    ("moeder", "v", 55, 78, "other", False),
    ("vader", "m", 58, 80, "central", False),
    ("zus", "v", 25, 50, "central", False),
    ("broer", "m", 25, 50, "central", False),
    ("beste vriendin", "v", 25, 50, "other", True),
    ("buurvrouw", "v", 35, 75, "other", True),
    ("collega", "v", 25, 60, "other", True),
    ("buurman", "m", 35, 75, "other", True),
]

GENDERS = {"v": Gender.FEMALE, "m": Gender.MALE, "x": Gender.NON_BINARY, "?": Gender.UNKNOWN}
PARENT_RELATIONS = ("moeder", "vader", "pleegmoeder", "pleegvader", "tante (zus van moeder)", "echtgenoot")
