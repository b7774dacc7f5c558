"""Valid identifiers (national register numbers, IBANs, enterprise and VAT numbers) and
plausible names and addresses, all drawn from a random.Random so that a seed repeats them."""

import random
from datetime import date

from stdnum import iban as std_iban
from stdnum.eu import vat as eu_vat

FIRST_NAMES_F = [
    "Marie",
    "Sophie",
    "Julie",
    "Laura",
    "Emma",
    "Sarah",
    "Camille",
    "Léa",
    "Chloé",
    "Lucie",
    "Charlotte",
    "Manon",
    "Elise",
    "Anaïs",
    "Hélène",
    "Claire",
    "Anne",
    "Nathalie",
    "Isabelle",
    "Catherine",
    "Véronique",
    "Céline",
    "Aurélie",
    "Amélie",
    "Margaux",
    "Louise",
    "Alice",
    "Zoé",
    "Inès",
    "Nora",
    "Yasmina",
    "Fatima",
    "Lotte",
    "Annelies",
    "Els",
    "Sofie",
    "Katrien",
    "Leen",
    "Hanne",
    "Fien",
    "Aline",
    "Virginie",
    "Morgane",
    "Pauline",
    "Juliette",
    "Mathilde",
    "Eva",
    "Jeanne",
    "Rosalie",
    "Loubna",
    "Houda",
]
FIRST_NAMES_M = [
    "Thomas",
    "Nicolas",
    "Julien",
    "Maxime",
    "Antoine",
    "Olivier",
    "Pierre",
    "Laurent",
    "Michel",
    "Philippe",
    "Benoît",
    "François",
    "Vincent",
    "Sébastien",
    "Mathieu",
    "Arnaud",
    "Simon",
    "Hugo",
    "Louis",
    "Lucas",
    "Noah",
    "Adam",
    "Mehdi",
    "Karim",
    "Youssef",
    "Samir",
    "Jan",
    "Pieter",
    "Wouter",
    "Bram",
    "Tom",
    "Koen",
    "Joris",
    "Stijn",
    "Luc",
    "Marc",
    "Yves",
    "Renaud",
    "Amaury",
    "Cédric",
    "Damien",
    "Jérôme",
    "Bruno",
    "Fabrice",
    "Gilles",
    "Quentin",
    "Romain",
    "Victor",
    "Arthur",
    "Jules",
    "Ahmed",
]
LAST_NAMES = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "Dubois",
    "Lambert",
    "Dupont",
    "Martin",
    "Simon",
    "Laurent",
    "Leclercq",
    "Dumont",
    "Lejeune",
    "Renard",
    "Collard",
    "Denis",
    "Lemaire",
    "Gilson",
    "Dufour",
    "Hermans",
    "Michiels",
    "Vermeulen",
    "Desmet",
    "Declercq",
    "Lemmens",
    "Cools",
    "Pauwels",
    "Vandenberghe",
    "Mathieu",
    "Masson",
    "Piron",
    "Henrard",
    "François",
    "Charlier",
    "Delvaux",
    "Dethier",
    "Fontaine",
    "Thiry",
    "Bastin",
    "Baudoux",
    "Wauters",
    "Hendrickx",
    "Smets",
    "Aerts",
    "Stevens",
    "Segers",
    "Verhoeven",
    "Nys",
    "Goffin",
    "Marchal",
    "Lefebvre",
    "Moreau",
    "Leroy",
    "Noël",
    "Gérard",
    "Bertrand",
    "Vincent",
    "Rousseau",
    "Benali",
    "El",
    "Amrani",
    "Yilmaz",
    "Rossi",
    "Ferrari",
    "Garcia",
    "Lopez",
    "Kowalski",
    "Nowak",
    "Haegeman",
    "Steiner",
    "Polet",
    "Beunckens",
    "Gemmel",
    "Baudens",
]
CITIES = {
    "bruxelles": (("1000", "Bruxelles"), ("1030", "Schaerbeek"), ("1050", "Ixelles"),
                  ("1060", "Saint-Gilles"), ("1080", "Molenbeek-Saint-Jean"),
                  ("1190", "Forest"), ("1200", "Woluwe-Saint-Lambert")),
    "liege": (("4000", "Liège"), ("4020", "Liège"), ("4100", "Seraing"), ("4800", "Verviers")),
    "charleroi": (("6000", "Charleroi"), ("6040", "Jumet"), ("6200", "Châtelet")),
    "namur": (("5000", "Namur"), ("5030", "Gembloux"), ("5100", "Jambes")),
    "mons": (("7000", "Mons"), ("7100", "La Louvière"), ("7300", "Boussu")),
    "tournai": (("7500", "Tournai"), ("7700", "Mouscron"), ("7800", "Ath")),
    "gent": (("9000", "Gent"), ("9050", "Ledeberg"), ("9300", "Aalst")),
    "antwerpen": (("2000", "Antwerpen"), ("2018", "Antwerpen"), ("2060", "Antwerpen"),
                  ("2800", "Mechelen")),
}  # fmt: skip
FOREIGN_CITIES = {
    "FR": (("75011", "Paris"), ("59000", "Lille"), ("69001", "Lyon")),
    "NL": (("1012", "Amsterdam"), ("3011", "Rotterdam")),
    "DE": (("10115", "Berlin"), ("50667", "Köln")),
    "LU": (("1009", "Luxembourg"), ("4001", "Esch-sur-Alzette")),
    "CH": (("1201", "Genève"), ("8001", "Zürich")),
    "GB": (("E1 6AN", "London"), ("M1 1AE", "Manchester")),
    "US": (("10001", "New York"), ("60601", "Chicago")),
    "IT": (("00184", "Roma"),),
}
STREETS = (
    "Rue Haute",
    "Rue de la Station",
    "Avenue Louise",
    "Chaussée de Wavre",
    "Rue du Moulin",
    "Rue de l'Église",
    "Kerkstraat",
    "Stationsstraat",
    "Rue des Champs",
    "Place du Marché",
    "Rue Coenraets",
    "Boulevard Anspach",
    "Grand-Rue",
    "Dorpstraat",
    "Rue Neuve",
)
COMPANY_WORDS = [
    "Atelier",
    "Studio",
    "Collectif",
    "Théâtre",
    "Compagnie",
    "Galerie",
    "Festival",
    "Productions",
    "Agence",
    "Maison",
    "Centre",
    "Café",
    "Librairie",
    "Label",
    "Editions",
    "Design",
    "Lab",
    "Fabrique",
    "Scène",
    "Culture",
    "Events",
    "Digital",
]
COMPANY_TAILS = ("SRL", "SA", "SC", "BV", "NV", "SPRL")
NON_PROFIT_TAILS = ("asbl", "vzw")
PUBLIC_BODIES = (
    "Commune de",
    "Ville de",
    "CPAS de",
    "Centre culturel de",
    "Gemeente",
    "Province de",
    "Académie de",
)
ORGANISATION_NAMES = (
    "Fondation",
    "Syndicat",
    "Coopérative",
    "Fédération",
    "Union",
    "Association",
)


def national_number(rng: random.Random, birth: date, female: bool, used: set) -> str:
    """A valid Belgian national register number (odd serial: male, even: female), unique
    in `used`: the two check digits are 97 − (base mod 97), base prefixed by 2 after 1999."""
    while True:
        serial = rng.randrange(1, 998)
        if (serial % 2 == 0) != female:
            serial += 1 if serial < 997 else -1
        base = f"{birth:%y%m%d}{serial:03d}"
        number = int(base) if birth.year < 2000 else int("2" + base)
        value = f"{base}{97 - number % 97:02d}"
        if value not in used:
            used.add(value)
            return value


def belgian_iban(rng: random.Random) -> str:
    """A valid Belgian IBAN: bank code (3) + account (7) + national check (mod 97, 97 when
    0), then the IBAN check digits (ISO 13616 mod 97-10)."""
    bank = rng.choice(("001", "063", "068", "096", "310", "363", "733", "735", "751", "973"))
    account = f"{rng.randrange(10**7):07d}"
    check = int(bank + account) % 97 or 97
    bban = f"{bank}{account}{check:02d}"
    return f"BE{std_iban.calc_check_digits('BE00' + bban)}{bban}"


def enterprise_number(rng: random.Random, used: set) -> str:
    """A valid Belgian enterprise number: 0 or 1, 7 digits, then 97 − (first 8 mod 97)."""
    while True:
        base = rng.randrange(2_000_000, 19_999_999)
        value = f"{base:08d}{97 - base % 97:02d}"
        if value not in used:
            used.add(value)
            return value


def foreign_vat(rng: random.Random, country: str) -> str:
    """A valid EU VAT number of `country` (FR, NL, DE, LU, IT), checked with python-stdnum."""
    for _attempt in range(1000):
        if country == "FR":
            siren = _luhn_complete(f"{rng.randrange(10**7, 10**8):08d}")
            key = (12 + 3 * (int(siren) % 97)) % 97
            value = f"FR{key:02d}{siren}"
        elif country == "NL":
            value = f"NL{_mod11_complete(f'{rng.randrange(10**7, 10**8):08d}')}B01"
        elif country == "DE":
            value = f"DE{_try_last_digit('DE', f'{rng.randrange(10**7, 10**8):08d}')}"
        elif country == "LU":
            base = rng.randrange(10**5, 10**6)
            value = f"LU{base:06d}{base % 89:02d}"
        elif country == "IT":
            value = f"IT{_try_last_digit('IT', f'{rng.randrange(10**9):09d}0000'[:10])}"
        else:
            raise ValueError(country)
        if eu_vat.is_valid(value):
            return value
    raise RuntimeError(f"no valid VAT number found for {country}")


def _luhn_complete(digits: str) -> str:
    for last in "0123456789":
        candidate = digits + last
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def _mod11_complete(digits: str) -> str:
    for last in "0123456789":
        candidate = digits + last
        total = sum((9 - i) * int(c) for i, c in enumerate(candidate[:-1])) - int(candidate[-1])
        if total % 11 == 0:
            return candidate
    return digits + "0"


def _try_last_digit(country: str, digits: str) -> str:
    for last in "0123456789":
        if eu_vat.is_valid(f"{country}{digits}{last}"):
            return digits + last
    return digits + "0"
