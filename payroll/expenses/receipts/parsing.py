"""What a receipt's text says: supplier, supplier's VAT number, date, total, VAT by rate,
currency and a suggested expense category, each with a confidence between 0 and 1.

A value read with less than CONFIDENT is not proposed: the member's form leaves the field
empty and highlights it. Nothing is guessed silently: a total that is only "the largest
amount on the ticket" is kept with a low confidence, so it is shown as a hint, never filled in.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from stdnum.be import vat as be_vat
from stdnum.eu import vat as eu_vat

CONFIDENT = 0.7
CENT = Decimal("0.01")
VAT_RATES = (Decimal(21), Decimal(12), Decimal(6))
FIELDS = ("supplier", "vat_number", "spent_on", "total", "vat", "currency", "category")

MONTHS = {
    # French
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    # Dutch
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "augustus": 8, "oktober": 10,
    # abbreviations printed on tickets
    "janv": 1, "fevr": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "jan": 1, "feb": 2, "mrt": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "okt": 10,
}  # fmt: skip

# Words of the line that gives the amount to pay, and of lines that look like it but aren't.
TOTAL_WORDS = re.compile(
    r"\b(TOTAL|TOTAAL|A\s*PAYER|TE\s*BETALEN|MONTANT\s*DU|BEDRAG|NET\s*A\s*PAYER)\b"
)
NOT_TOTAL_WORDS = re.compile(
    r"(SOUS|SUB|HTVA|HORS|EXCL|EXCLUSIEF|TOTAL\s*TVA|TOTAAL\s*BTW\b(?!\s*INCL)|RENDU|TERUG|"
    r"ARTICLES|ARTIKELEN|BASE|BASIS)"
)
AMOUNT = re.compile(r"(?<![\d,.])(-?\d{1,3}(?:[ .]\d{3})*|\d+)[,.](\d{2})(?![\d])")
NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4}|\d{2})(?!\d)")
WORD_DATE = re.compile(r"(?<!\d)(\d{1,2})(?:er)?\.?\s+([a-z]{3,9})\.?\s+(\d{4})(?!\d)")
VAT_CANDIDATE = re.compile(
    r"\b(BE|FR|NL|LU|DE)?\s?[:.]?\s?([0-9OIl][0-9OIl .,]{8,14}[0-9OIl])\b", re.IGNORECASE
)
RATE = re.compile(r"(?<![\d,.])(21|12|6)\s?(?:[,.]0{1,2})?\s?%")
CURRENCIES = (("EUR", re.compile(r"€|\bEUR\b|\bEURO")), ("USD", re.compile(r"\$|\bUSD\b")),
              ("GBP", re.compile(r"£|\bGBP\b")), ("CHF", re.compile(r"\bCHF\b")))  # fmt: skip

CATEGORY_WORDS = {
    "meals": r"RESTAURANT|BRASSERIE|TAVERNE|CAFE|BISTRO|TRAITEUR|SNACK|FRITERIE|HOTEL|"
    r"PETIT-DEJEUNER|NUITEE|REPAS|DAGSCHOTEL|PLAT DU JOUR|MAALTIJD|KOFFIE|ONTBIJT|"
    r"OVERNACHTING|PIZZ|SANDWICH",
    "travel": r"TAXI|SNCB|NMBS|STIB|MIVB|DE LIJN|\bTEC\b|PARKING|PARKEREN|PEAGE|TOL|"
    r"CARBURANT|BRANDSTOF|DIESEL|ESSENCE|BENZINE|TRAIN|TREIN|COURSE|UBER|BOLT",
    "communication": r"PROXIMUS|ORANGE|TELENET|\bBASE\b|VOO|SCARLET|TELECOM|SIM|RECHARGE|"
    r"HERLADING|ABONNEMENT MOBILE",
    "training": r"LIBRAIRIE|BOEKHANDEL|LIVRE|BOEK|REVUE|TIJDSCHRIFT|MANUEL|HANDBOEK|"
    r"FORMATION|OPLEIDING|COURS|CURSUS|SEMINAIRE|STANDAARD",
    "material": r"BRICO|HUBO|GAMMA|MR\.? ?BRICOLAGE|IKEA|ACTION|MEDIA ?MARKT|FNAC|COOLBLUE|"
    r"VANDEN BORRE|KREFEL|PAPETERIE|SCHROEVEN|VIS |CABLE|KABEL|RALLONGE|VERLENG|PILES|"
    r"BATTERIJ|CARTOUCHE|CAHIER|DOE-HET-ZELF",
}


@dataclass(frozen=True)
class Reading:
    """One field as read: its value (a string, JSON-ready) and how sure the reading is."""

    value: str
    confidence: float

    def as_json(self) -> dict:
        return {"value": self.value, "confidence": round(self.confidence, 2)}


def _plain(text: str) -> str:
    """Upper case without accents (À PAYER → A PAYER), for the keyword searches."""
    text = unicodedata.normalize("NFKD", text.upper())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _amounts(line: str) -> list[Decimal]:
    found = []
    for whole, decimals in AMOUNT.findall(line):
        try:
            found.append(Decimal(whole.replace(" ", "").replace(".", "") + "." + decimals))
        except InvalidOperation:
            continue
    return found


def read_total(lines: list[str]) -> Reading | None:
    """The amount to pay: the last amount of a TOTAL / TOTAAL / À PAYER / TE BETALEN line
    (not a subtotal, a total excl. VAT, change given back), the largest of them when several;
    sure when the VAT lines add up to it. Failing that, the largest amount of the ticket as a
    hint only."""
    candidates: list[Decimal] = []
    for line in lines:
        plain = _plain(line)
        if TOTAL_WORDS.search(plain) and not NOT_TOTAL_WORDS.search(plain):
            amounts = [a for a in _amounts(line) if a > 0]
            if amounts:
                candidates.append(amounts[-1])
    if candidates:
        total = max(candidates)
        return Reading(f"{total:.2f}", 0.9 if len(set(candidates)) == 1 else 0.75)
    every = [a for line in lines for a in _amounts(line) if a > 0]
    if every:
        return Reading(f"{max(every):.2f}", 0.3)
    return None


def _valid_date(day: int, month: int, year: int) -> date | None:
    if year < 100:
        year += 2000
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if 2000 <= found.year <= 2099 else None


def read_date(lines: list[str], today: date | None = None) -> Reading | None:
    """The date of the receipt: dd/mm/yyyy, dd-mm-yy, dd.mm.yyyy or "6 décembre 2026" /
    "6 december 2026"; sure when the ticket names one date only (or one on its "date" line),
    and never a day after `today`."""
    found: list[tuple[date, bool]] = []
    for line in lines:
        plain = _plain(line).lower()
        dated = bool(re.search(r"\b(date|datum|le|op)\b", plain))
        for day, month, year in NUMERIC_DATE.findall(plain):
            value = _valid_date(int(day), int(month), int(year))
            if value:
                found.append((value, dated))
        for day, month_name, year in WORD_DATE.findall(plain):
            month = MONTHS.get(month_name)
            value = _valid_date(int(day), month, int(year)) if month else None
            if value:
                found.append((value, dated))
    if today is not None:
        found = [(value, dated) for value, dated in found if value <= today]
    if not found:
        return None
    distinct = {value for value, _dated in found}
    if len(distinct) == 1:
        return Reading(found[0][0].isoformat(), 0.9)
    on_date_line = [value for value, dated in found if dated]
    if len(set(on_date_line)) == 1:
        return Reading(on_date_line[0].isoformat(), 0.75)
    return Reading(found[0][0].isoformat(), 0.4)


def _ocr_digits(text: str) -> str:
    return text.upper().translate(str.maketrans("OIL", "011"))


def read_vat_number(lines: list[str]) -> Reading | None:
    """The supplier's VAT or enterprise number, checked by its check digits (stdnum): a
    Belgian one (BE 0123.456.749, 0123.456.749) or another EU one with its country prefix.
    A number whose check digits fail is not proposed."""
    for line in lines:
        for country, digits in VAT_CANDIDATE.findall(line):
            number = re.sub(r"[ .,]", "", _ocr_digits(digits))
            country = (country or "BE").upper()
            if country == "BE":
                if len(number) == 9:
                    number = "0" + number
                if be_vat.is_valid(number):
                    return Reading("BE" + be_vat.compact(number), 0.95)
            elif eu_vat.is_valid(country + number):
                return Reading(eu_vat.compact(country + number), 0.9)
    return None


def read_vat_by_rate(lines: list[str]) -> dict[str, tuple[Reading, Decimal]]:
    """The VAT of each rate (21, 12, 6 %) from the ticket's VAT lines, with the amount incl.
    VAT it is the VAT of: on a line naming the rate, the pair (base, VAT) whose VAT is the
    rate of the base (to the cent or two), or the pair (VAT, amount incl. VAT) whose VAT is
    the rate's part of the amount."""
    found: dict[str, tuple[Reading, Decimal]] = {}
    for line in lines:
        match = RATE.search(line)
        if not match:
            continue
        rate = Decimal(match.group(1))
        amounts = _amounts(line[match.end() :])
        for other in amounts:
            for vat in amounts:
                if vat >= other or vat <= 0 or str(rate) in found:
                    continue
                if abs(other * rate / 100 - vat) <= Decimal("0.02"):
                    gross = other + vat
                elif abs(other * rate / (100 + rate) - vat) <= Decimal("0.01"):
                    gross = other
                else:
                    continue
                found[str(rate)] = (Reading(f"{vat:.2f}", 0.9), gross)
    return found


def _checked_total(
    total: Reading | None, gross: Decimal | None, lines: list[str]
) -> Reading | None:
    """The total, cross-checked with what the VAT lines add up to (VAT included): sure when
    both agree; the VAT lines' sum when no total line was read but the ticket prints it."""
    if gross is None:
        return total
    if total is not None and Decimal(total.value) == gross:
        return Reading(total.value, max(total.confidence, 0.95))
    if total is None or total.confidence < CONFIDENT:
        printed = {a for line in lines for a in _amounts(line)}
        if gross in printed:
            return Reading(f"{gross:.2f}", 0.8)
    return total


def read_currency(text: str, has_amounts: bool) -> Reading | None:
    plain = _plain(text)
    for code, pattern in CURRENCIES:
        if pattern.search(text) or pattern.search(plain):
            return Reading(code, 0.95)
    # Belgian tickets often print no currency at all: euros, but say we assumed it.
    return Reading("EUR", 0.6) if has_amounts else None


def read_supplier(lines: list[str]) -> Reading | None:
    """The shop's name: the first line of words at the top of the ticket (not a date, an
    address, a number)."""
    for line in lines[:6]:
        words = line.strip(" -*=_.")
        letters = sum(ch.isalpha() for ch in words)
        if letters < 3 or letters < len(words.replace(" ", "")) * 0.6:
            continue
        if NUMERIC_DATE.search(words) or re.search(r"\d{4}\s+\w", words):
            continue
        confident = words.isupper() and len(words) <= 60
        return Reading(" ".join(words.split())[:200], 0.8 if confident else 0.5)
    return None


def read_category(text: str) -> Reading | None:
    """A category code suggested by the words of the ticket: the category most of whose
    words it holds."""
    plain = _plain(text)
    scores = {code: len(re.findall(pattern, plain)) for code, pattern in CATEGORY_WORDS.items()}
    best = max(scores, key=lambda code: scores[code])
    if not scores[best]:
        return None
    runner_up = max((score for code, score in scores.items() if code != best), default=0)
    return Reading(best, 0.8 if scores[best] > runner_up else 0.5)


def parse_receipt(text: str, today: date | None = None) -> dict[str, Reading]:
    """Every field read from a receipt's text (fields not found are absent); "vat" is the
    VAT of all rates together, "vat_<rate>" each rate's."""
    lines = [line for line in text.splitlines() if line.strip()]
    readings: dict[str, Reading | None] = {
        "supplier": read_supplier(lines),
        "vat_number": read_vat_number(lines),
        "spent_on": read_date(lines, today),
        "total": read_total(lines),
        "category": read_category(text),
    }
    by_rate = read_vat_by_rate(lines)
    for rate, (reading, _gross) in by_rate.items():
        readings[f"vat_{rate}"] = reading
    if by_rate:
        vat = sum((Decimal(r.value) for r, _gross in by_rate.values()), Decimal(0))
        confidence = min(r.confidence for r, _gross in by_rate.values())
        readings["vat"] = Reading(f"{vat:.2f}", confidence)
        gross = sum((gross for _r, gross in by_rate.values()), Decimal(0))
        readings["total"] = _checked_total(readings["total"], gross, lines)
    readings["currency"] = read_currency(text, has_amounts=readings["total"] is not None)
    return {name: reading for name, reading in readings.items() if reading is not None}


def proposal(readings: dict[str, dict]) -> dict[str, str]:
    """The values the form is prefilled with: those read with at least CONFIDENT."""
    return {
        name: reading["value"]
        for name, reading in readings.items()
        if reading.get("confidence", 0) >= CONFIDENT
    }
