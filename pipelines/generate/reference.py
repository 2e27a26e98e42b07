"""Reference lists for the simulation and the rendering, all illustrative: organisations, places,
countries, names and the shares of every category drawn.
"""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from typing import Any

import numpy as np

from pipelines import settings
from pipelines.parsers import OUTSIDE_BRUSSELS

CATALOGUE_ORGS: tuple[tuple[str, str, str, bool], ...] = (
    # name, kind, NIS code ("" = drawn), part of the Dutch-speaking network
    ("GC De Kriekelaar", "gemeenschapscentrum", "21015", True),
    ("GC De Vaartkapoen", "gemeenschapscentrum", "21012", True),
    ("GC De Markten", "gemeenschapscentrum", "21004", True),
    ("GC Ten Noey", "gemeenschapscentrum", "21014", True),
    ("GC De Rinck", "gemeenschapscentrum", "21001", True),
    ("GC Elzenhof", "gemeenschapscentrum", "21009", True),
    ("GC Essegem", "gemeenschapscentrum", "21010", True),
    ("GC Nekkersdal", "gemeenschapscentrum", "21004", True),
    ("GC De Maalbeek", "gemeenschapscentrum", "21005", True),
    ("GC Everna", "gemeenschapscentrum", "21006", True),
    ("GC Ten Weyngaert", "gemeenschapscentrum", "21007", True),
    ("GC De Platoo", "gemeenschapscentrum", "21011", True),
    ("GC Pianofabriek", "gemeenschapscentrum", "21013", True),
    ("Bibliotheek Muntpunt", "bibliotheek", "21004", True),
    ("Bibliotheek Schaarbeek", "bibliotheek", "21015", True),
    ("Bibliotheek Anderlecht", "bibliotheek", "21001", True),
    ("Bibliotheek Molenbeek", "bibliotheek", "21012", True),
    ("Bibliotheek Jette", "bibliotheek", "21010", True),
    ("Bibliotheek Sint-Gillis", "bibliotheek", "21013", True),
    ("Bibliotheek Elsene", "bibliotheek", "21009", True),
    ("Cultuurcentrum Noordwijk", "cultuurcentrum", "21015", True),
    ("Cultuurcentrum Kanaalzone", "cultuurcentrum", "21012", True),
    ("Cultuurcentrum Zuidpaleis", "cultuurcentrum", "21013", True),
    ("Kunstenhuis De Spiegel", "cultuurcentrum", "21004", True),
    ("Stadsmuseum Brussel (fictief)", "museum", "21004", True),
    ("Sportclub Zinneke", "sportclub", "", True),
    ("Atletiekclub Brussel-Oost", "sportclub", "21006", True),
    ("Voetbalclub FC Kanaal", "sportclub", "21012", True),
    ("Zwemclub De Golf", "sportclub", "21001", True),
    ("Tafeltennisclub Ping Brussel", "sportclub", "", True),
    ("Wandelclub De Stappers", "sportclub", "", True),
    ("Fietsclub Trappers", "sportclub", "", True),
    ("Badmintonclub Pluim", "sportclub", "", True),
    ("Taalcafé Brussel vzw", "vereniging", "21004", True),
    ("vzw Buurtwerk De Brug", "buurtwerk", "21015", True),
    ("vzw Samen Koken", "vereniging", "", True),
    ("vzw Kringloop Noord", "vereniging", "21015", True),
    ("vzw Buurtmoestuin De Wortel", "vereniging", "", True),
    ("vzw Huiswerkklas Pagadder", "vereniging", "", True),
    ("Repair Café Brussel", "vereniging", "", True),
    ("Vrijwilligerspunt Brussel", "vereniging", "21004", True),
    ("Jeugdhuis De Schakel", "jeugdhuis", "", True),
    ("Jeugdhuis Kaleidoscoop", "jeugdhuis", "", True),
    ("Koor Stemmen van Brussel", "vereniging", "", True),
    ("Theatergroep De Coulisse", "vereniging", "", True),
    ("Seniorenvereniging Okra Laken", "vereniging", "21004", True),
    ("Natuurvereniging Groen Brussel", "vereniging", "", True),
    ("Buurthuis Het Anker", "buurtwerk", "21001", True),
    ("Wijkcentrum De Vonk", "buurtwerk", "21014", True),
    ("Brede School Kanaal", "vereniging", "21012", True),
    ("Speel-o-theek De Knikker", "vereniging", "", True),
    ("Fanfare Sint-Cecilia", "vereniging", "", True),
    ("Schaakclub Zinneke", "sportclub", "", True),
    ("Vrouwenwerking Amal vzw", "vereniging", "21014", True),
    ("Centre culturel Le Phare (fictif)", "centre culturel", "21015", False),
    ("Maison de quartier Les Tilleuls", "buurtwerk", "21001", False),
    ("ASBL Entraide Bruxelles", "vereniging", "", False),
    ("Club de football Étoile", "sportclub", "", False),
)

# Brussels municipality weights for newcomers (arrival neighbourhoods) and for buddies.
PARTICIPANT_WEIGHTS = {
    "21015": 18, "21012": 14, "21001": 13, "21004": 14, "21014": 7, "21009": 5, "21013": 5,
    "21007": 4, "21005": 3, "21006": 3, "21010": 3, "21011": 2, "21003": 1, "21008": 1,
    "21002": 1, "21016": 1, "21017": 1, "21018": 1, "21019": 1,
}  # fmt: skip
BUDDY_WEIGHTS = {
    "21009": 12, "21005": 10, "21015": 10, "21004": 12, "21010": 7, "21013": 7, "21016": 6,
    "21018": 5, "21007": 5, "21001": 4, "21012": 4, "21002": 3, "21019": 3, "21017": 3,
    "21006": 3, "21003": 2, "21008": 2, "21011": 2, "21014": 2,
}  # fmt: skip
_OUTSIDE_SHARE = {"participant": 0.03, "buddy": 0.10}
OUTSIDE_PLACES = ("Vilvoorde", "1800", "Zaventem", "1930", "Dilbeek", "1700", "Asse", "1730")

COUNTRIES = (
    ("SY", 14), ("AF", 12), ("MA", 9), ("PS", 8), ("ER", 7), ("TR", 5), ("CD", 5), ("GN", 5),
    ("SO", 4), ("IQ", 4), ("CM", 3), ("BR", 3), ("RO", 3), ("ET", 2), ("SN", 2), ("DZ", 2),
    ("PK", 2), ("VE", 2), ("IN", 2), ("ES", 2), ("BI", 1), ("NP", 1), ("IR", 2), ("RU", 1),
)  # fmt: skip
UKRAINE_FROM = date(2022, 3, 1)  # arrivals from Ukraine join the mix from March 2022
UKRAINE_WEIGHT = 14
CEFR_LEVEL_SHARES = (
    ("A0", 0.33),
    ("A1", 0.35),
    ("A2", 0.19),
    ("B1", 0.09),
    ("B2", 0.03),
    ("C1", 0.01),
)
REFERRERS = (
    ("Agentschap Integratie en Inburgering", 0.40),
    ("OCMW", 0.14),
    ("CVO", 0.14),
    ("Huis van het Nederlands", 0.10),
    ("eigen initiatief", 0.10),
    ("vrienden of familie", 0.06),
    ("andere organisatie", 0.06),
)

END_REASON_SHARES = (
    ("completed", 0.60),
    ("participant_stopped", 0.10),
    ("buddy_stopped", 0.08),
    ("moved_away", 0.07),
    ("lost_contact", 0.08),
    ("mismatch", 0.04),
    ("other", 0.03),
)
REMATCH_REASONS = ("buddy_stopped", "mismatch", "other")  # the newcomer gets a new buddy
BUDDY_CONTINUES = {"completed": 0.50, "buddy_stopped": 0.0}  # others: 0.25

# activity, share of contacts, mean hours, share at an organisation, organisation kinds
ACTIVITY_PROFILES: tuple[tuple[str, float, float, float, tuple[str, ...]], ...] = (
    ("conversation", 0.30, 1.9, 0.10, ("vereniging", "gemeenschapscentrum")),
    ("city_discovery", 0.15, 3.0, 0.30, ("museum", "gemeenschapscentrum")),
    ("culture", 0.13, 3.0, 0.80, ("cultuurcentrum", "gemeenschapscentrum", "museum")),
    ("sport", 0.07, 2.25, 0.80, ("sportclub",)),
    ("library", 0.10, 1.9, 0.95, ("bibliotheek",)),
    ("event", 0.08, 3.0, 0.70, ("gemeenschapscentrum", "cultuurcentrum", "vereniging")),
    ("practical_help", 0.08, 1.9, 0.10, ("buurtwerk", "vereniging")),
    ("group_activity", 0.04, 3.0, 0.90, ("gemeenschapscentrum", "vereniging")),
    ("other", 0.05, 2.1, 0.30, ()),
)
GROUP_KINDS = (
    ("uitstap", 0.22), ("workshop", 0.18), ("picknick", 0.10), ("stadswandeling", 0.14),
    ("museumbezoek", 0.12), ("kookatelier", 0.10), ("sportdag", 0.06), ("taalcafé", 0.08),
)  # fmt: skip
REFERRAL_PROFILES: tuple[tuple[str, float, float, tuple[str, ...]], ...] = (
    # kind, share, share with an organisation, organisation kinds
    ("leisure", 0.38, 0.90, ("sportclub", "vereniging", "gemeenschapscentrum", "jeugdhuis")),
    ("volunteering", 0.22, 0.90, ("vereniging", "buurtwerk", "gemeenschapscentrum")),
    ("course", 0.20, 0.75, ("gemeenschapscentrum", "cultuurcentrum", "bibliotheek")),
    ("work", 0.10, 0.10, ()),
    ("study", 0.05, 0.10, ()),
    ("other", 0.05, 0.50, ()),
)

# fake first names by gender (X draws from both), all writable in Windows-1252
FIRST_NAMES = {
    ("participant", "F"): (
        "Fatima", "Aïcha", "Leila", "Noor", "Olena", "Mariam", "Amina", "Zainab", "Samira",
        "Hélène", "Ana", "Fatoumata", "Rania", "Selam", "Zoë", "Oksana", "Iryna", "Nadia",
        "Yasmina", "Mérième",
    ),
    ("participant", "M"): (
        "Ahmad", "Mohammed", "Yusuf", "Omar", "Dmytro", "Hassan", "Khalid", "Ibrahim", "Karim",
        "José", "Luis", "Mamadou", "Abdi", "Hamid", "Tesfaye", "Bilal", "Farid", "Aliou",
    ),
    ("buddy", "F"): (
        "Els", "Sofie", "Katrien", "Lien", "Ann", "Griet", "Marieke", "Lotte", "Hannelore",
        "Joke", "Inge", "Gaëlle", "Joëlle", "Chloë", "Fien", "Mieke",
    ),
    ("buddy", "M"): (
        "Jan", "Pieter", "Wouter", "Bram", "Koen", "Tom", "Jef", "Stijn", "Dirk", "Noë",
        "Raphaël", "Arne", "Ruben", "Lucas",
    ),
}  # fmt: skip
LAST_NAMES = {
    "participant": (
        "Al-Hassan", "Haddad", "Rahimi", "Ahmadi", "El Amrani", "Benali", "Yilmaz", "Kovalenko",
        "Shevchenko", "Diallo", "Bah", "Tekle", "Mekonnen", "Mbuyi", "Haidari", "Nasser", "Saleh",
        "Öztürk", "Çelik", "Barry", "Camara", "Hussein", "Mansour", "Bondarenko", "Da Silva",
    ),
    "buddy": (
        "Peeters", "Janssens", "Maes", "Jacobs", "Willems", "De Smet", "Claes", "Goossens",
        "Wouters", "Vermeulen", "Van den Broeck", "De Backer", "Dubois", "Lambert", "Mertens",
        "Verhaegen", "D'Hondt", "Van Damme", "Smets", "Desmet", "Coppens", "Leroy", "Geeraerts",
    ),
}  # fmt: skip
EMAIL_DOMAINS = ("example.org", "example.com", "example.net")


@cache
def municipalities() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Return NIS code -> (Dutch name, French name, postcodes) from the reference file."""
    path = settings.REFERENCE_DIR / "brussels_municipalities.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {
        r["nis_code"]: (r["name_nl"], r["name_fr"], tuple(r["postcodes"].split())) for r in rows
    }


def choice(rng: np.random.Generator, pairs: Any, size: int) -> np.ndarray:
    """Draw size values from (value, weight) pairs; returns an object array."""
    values = np.array([p[0] for p in pairs], dtype=object)
    weights = np.array([p[1] for p in pairs], dtype=float)
    return values[rng.choice(len(values), size=size, p=weights / weights.sum())]


def draw_municipalities(rng: np.random.Generator, role: str, size: int) -> np.ndarray:
    """Return size NIS codes for participants or buddies, a few outside Brussels."""
    weights = PARTICIPANT_WEIGHTS if role == "participant" else BUDDY_WEIGHTS
    codes = choice(rng, list(weights.items()), size)
    codes[rng.random(size) < _OUTSIDE_SHARE[role]] = OUTSIDE_BRUSSELS
    return codes
