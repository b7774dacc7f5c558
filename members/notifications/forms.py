"""The e-mail preferences form: a checkbox per kind that sends an e-mail; the required ones
are shown checked and disabled (a disabled field keeps its initial value, whatever is posted)."""

from django import forms
from django.utils.translation import gettext as _

from .kinds import emailed_kinds

UNCHECKED = {"", "0", "false", "off", "no"}


class NotificationEmailsForm(forms.Form):
    def __init__(self, *args, off: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in emailed_kinds():
            self.fields[kind.code] = forms.BooleanField(
                label=kind.label,
                required=False,
                initial=kind.mandatory or kind.code not in off,
                disabled=kind.mandatory,
            )
            self.fields[kind.code].mandatory = kind.mandatory  # type: ignore[attr-defined]

    def clean(self) -> dict:
        """A required e-mail posted as unchecked (a disabled box is never posted: someone
        changed the page) is refused, naming it; nothing is saved then."""
        cleaned = super().clean() or {}
        for kind in emailed_kinds():
            posted = self.data.get(kind.code)
            if kind.mandatory and posted is not None and posted.lower() in UNCHECKED:
                self.add_error(
                    kind.code, _("This e-mail is required by law: it can't be switched off.")
                )
        return cleaned

    def emails_off(self) -> set[str]:
        """The optional kinds left unchecked (call after is_valid)."""
        return {
            kind.code
            for kind in emailed_kinds()
            if not kind.mandatory and not self.cleaned_data.get(kind.code)
        }
