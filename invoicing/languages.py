"""The languages documents are written in (invoices, credit notes, quotes, their e-mails and
reminders): the portal's three and German, which only documents speak
(settings.DOCUMENT_LANGUAGES; the portal's language switch is settings.LANGUAGES)."""

from django.conf import settings

DEFAULT_LANGUAGE = "fr"

# Countries whose clients read the documents in a language other than English.
COUNTRY_LANGUAGES = {
    "NL": "nl",
    "SR": "nl",
    "DE": "de",
    "AT": "de",
    "LI": "de",
    "FR": "fr",
    "LU": "fr",
    "MC": "fr",
    "CH": "fr",
}
# Belgian postal codes by region: Flanders writes Dutch, the German-speaking Community
# (Eupen, Sankt Vith: 4700-4799) German, Brussels and Wallonia French.
BELGIAN_DUTCH = [(1500, 1999), (2000, 3999), (8000, 9999)]
BELGIAN_GERMAN = [(4700, 4799)]


def document_language_codes() -> list[str]:
    return [code for code, _name in settings.DOCUMENT_LANGUAGES]


def default_client_language(country: str, postal_code: str = "") -> str:
    """The language a client most likely reads, from its country and, in Belgium, its region."""
    country = (country or "").upper()
    if country == "BE":
        digits = "".join(ch for ch in (postal_code or "") if ch.isdigit())[:4]
        code = int(digits) if len(digits) == 4 else 0
        if any(low <= code <= high for low, high in BELGIAN_DUTCH):
            return "nl"
        if any(low <= code <= high for low, high in BELGIAN_GERMAN):
            return "de"
        return DEFAULT_LANGUAGE
    if not country:
        return DEFAULT_LANGUAGE
    return COUNTRY_LANGUAGES.get(country, "en")


def first_language(*candidates: str | None) -> str:
    """The first candidate that is a document language, else French."""
    codes = document_language_codes()
    for language in candidates:
        if language in codes:
            return language
    return DEFAULT_LANGUAGE
