"""What every assembly service shares: the clock, the assembly's lock, the e-mails' folder."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import GeneralAssembly

EMAILS = "governance/email/"


def resolve_now(now: datetime | None) -> datetime:
    """`now` when a caller (a test, the demo, the dataset) gives one, else the current time."""
    return now or timezone.now()


def lock_assembly(assembly: GeneralAssembly) -> GeneralAssembly:
    """The assembly's row, locked until the end of the transaction (see the package's docstring)."""
    return GeneralAssembly.objects.select_for_update().get(pk=assembly.pk)


def check_changeable(fields: dict, allowed: tuple[str, ...]) -> None:
    """Refuse a change that names a field outside `allowed`."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(_("These fields can't be changed: %s") % ", ".join(sorted(unknown)))
