"""The registry of notification kinds: a code stored on each row, its label (the preferences
page), the subject of its e-mail and the sentence the portal and the e-mail say, and whether
the e-mail is legally required (then it can't be switched off).

The texts take their values from the row's `params` (strings as the caller stored them; a key
ending in `_day` holds an ISO date and a `month` key a YYYY-MM month, shown the Belgian way in
every language).
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import format_day

if TYPE_CHECKING:  # django-stubs' name for a lazy string; nothing to import at run time
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Kind:
    code: str
    label: "StrOrPromise"
    subject: "StrOrPromise"
    text: "StrOrPromise"
    mandatory: bool = False
    # False: the event already sends its own e-mail (the membership decisions): portal only.
    emails: bool = True


JOB_APPROVED = "job_approved"
JOB_REFUSED = "job_refused"
DECLARATION_APPROVED = "declaration_approved"
DECLARATION_REFUSED = "declaration_refused"
EXPENSE_APPROVED = "expense_approved"
EXPENSE_REFUSED = "expense_refused"
INVOICE_APPROVED = "invoice_approved"
INVOICE_REFUSED = "invoice_refused"
INFORMATION_REQUESTED = "information_requested"
APPLICATION_APPROVED = "application_approved"
APPLICATION_REFUSED = "application_refused"
CONTRACT_TO_ACCEPT = "contract_to_accept"
PAYSLIP_AVAILABLE = "payslip_available"
ATTESTATION_AVAILABLE = "attestation_available"
INVOICE_PAID = "invoice_paid"

KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            JOB_APPROVED,
            _("A 3en1 job approved"),
            _("Your 3en1 job is approved"),
            _("An advisor approved your 3en1 job “%(what)s”."),
        ),
        Kind(
            JOB_REFUSED,
            _("A 3en1 job refused"),
            _("Your 3en1 job is refused"),
            _("An advisor refused your 3en1 job “%(what)s”."),
        ),
        Kind(
            DECLARATION_APPROVED,
            _("A work declaration approved"),
            _("Your work declaration is approved"),
            _("An advisor approved your work declaration for %(what)s."),
        ),
        Kind(
            DECLARATION_REFUSED,
            _("A work declaration refused"),
            _("Your work declaration is refused"),
            _("An advisor refused your work declaration for %(what)s."),
        ),
        Kind(
            EXPENSE_APPROVED,
            _("An expense claim approved"),
            _("Your expense claim is approved"),
            _("An advisor approved your expense claim “%(what)s” of %(spent_day)s."),
        ),
        Kind(
            EXPENSE_REFUSED,
            _("An expense claim refused"),
            _("Your expense claim is refused"),
            _("An advisor refused your expense claim “%(what)s” of %(spent_day)s."),
        ),
        Kind(
            INVOICE_APPROVED,
            _("An invoice approved"),
            _("Your invoice is approved and issued"),
            _("An advisor approved your invoice, issued as number %(what)s."),
        ),
        Kind(
            INVOICE_REFUSED,
            _("An invoice refused"),
            _("Your invoice is refused"),
            _("An advisor refused your invoice to %(what)s."),
        ),
        Kind(
            INFORMATION_REQUESTED,
            _("An advisor asks for information"),
            _("An advisor asks you for information"),
            _("An advisor asks you for information about %(what)s."),
        ),
        Kind(
            APPLICATION_APPROVED,
            _("Membership application approved"),
            _("Your membership application is approved"),
            _("Your membership application is approved: welcome to the cooperative."),
            emails=False,
        ),
        Kind(
            APPLICATION_REFUSED,
            _("Membership application refused"),
            _("Your membership application is refused"),
            _("Your membership application is refused."),
            emails=False,
        ),
        Kind(
            CONTRACT_TO_ACCEPT,
            _("A contract to accept"),
            _("A contract waits for your acceptance"),
            _(
                "The employment contract %(what)s, from %(start_day)s to %(end_day)s, waits for "
                "your acceptance before the work starts."
            ),
            mandatory=True,
        ),
        Kind(
            PAYSLIP_AVAILABLE,
            _("A payslip available"),
            _("Your payslip is available"),
            _("Your payslip for %(month)s is available."),
            mandatory=True,
        ),
        Kind(
            ATTESTATION_AVAILABLE,
            _("An attestation available"),
            _("Your attestation is available"),
            _("The attestation you asked for (%(what)s) is available."),
        ),
        Kind(
            INVOICE_PAID,
            _("An invoice paid"),
            _("Your invoice is paid"),
            _("The client paid invoice %(what)s in full."),
        ),
    )
}


def kind_of(code: str) -> Kind:
    """The registered kind of `code`. Raises KeyError for a code not registered."""
    return KINDS[code]


def emailed_kinds() -> list[Kind]:
    """The kinds that send an e-mail, in the registry's order (the preferences page)."""
    return [kind for kind in KINDS.values() if kind.emails]


TRANSLATED = "_translated"  # the params' keys that hold a msgid, translated when shown


def _shown(key: str, value: object, translated: list[str]) -> str:
    text = str(value)
    if key in translated:
        return gettext(text)
    try:
        if key.endswith("_day"):
            return format_day(date.fromisoformat(text))
        if key == "month":
            return f"{date.fromisoformat(f'{text}-01'):%m/%Y}"
    except ValueError:
        return text
    return text


def kind_text(code: str, params: dict) -> str:
    """The kind's sentence with `params`, in the active language ('' for an unknown code)."""
    kind = KINDS.get(code)
    if kind is None:
        return ""
    translated = params.get(TRANSLATED) or []
    values = {key: _shown(key, value, translated) for key, value in params.items()}
    try:
        return str(kind.text) % values
    except (KeyError, TypeError, ValueError):
        return str(kind.label)


def kind_label(code: str) -> str:
    kind = KINDS.get(code)
    return str(kind.label) if kind else code
