"""Portal and back-office forms of assemblies."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Member

from .models import AgendaItem
from .models.voting import Choice

ITEM_CHOICES = [
    (Choice.FOR, _("For")),
    (Choice.AGAINST, _("Against")),
    (Choice.ABSTAIN, _("Abstention")),
    (Choice.BLANK, _("Blank")),
]
CANDIDATE_CHOICES = ITEM_CHOICES[:3]


class BallotForm(forms.Form):
    """One field per voted item (item_<id>) and per candidate (cand_<item>_<candidate>)."""

    def __init__(self, *args, assembly, **kwargs):
        super().__init__(*args, **kwargs)
        self.assembly = assembly
        self.sections = []
        for item in assembly.items.prefetch_related("candidates__member", "documents"):
            if item.kind == AgendaItem.Kind.INFORMATION:
                self.sections.append((item, []))
                continue
            if item.kind == AgendaItem.Kind.ELECTION:
                names = []
                for candidate in item.candidates.all():
                    name = f"cand_{item.pk}_{candidate.pk}"
                    self.fields[name] = forms.ChoiceField(
                        label=str(candidate), choices=CANDIDATE_CHOICES, widget=forms.RadioSelect
                    )
                    names.append(name)
                self.sections.append((item, names))
                continue
            name = f"item_{item.pk}"
            self.fields[name] = forms.ChoiceField(
                label=_("Your vote"), choices=ITEM_CHOICES, widget=forms.RadioSelect
            )
            self.sections.append((item, [name]))

    def bound_sections(self):
        return [(item, [self[name] for name in names]) for item, names in self.sections]

    def choices(self) -> dict:
        """The ballot as the service takes it."""
        ballot: dict = {"items": {}, "candidates": {}}
        for name, value in self.cleaned_data.items():
            parts = name.split("_")
            if parts[0] == "item":
                ballot["items"][parts[1]] = value
            else:
                ballot["candidates"].setdefault(parts[1], {})[parts[2]] = value
        return ballot


def member_numbered(number: int) -> Member:
    """The member with this number, or the form's error."""
    member = Member.objects.filter(number=number).first()
    if member is None:
        raise forms.ValidationError(_("No member has this number."))
    return member


class ProxyGiveForm(forms.Form):
    holder_number = forms.IntegerField(
        label=_("Member number of the person who will vote for you"), min_value=1
    )

    def clean_holder_number(self) -> int:
        number = self.cleaned_data["holder_number"]
        self.holder = member_numbered(number)
        return number


class ReceiptCheckForm(forms.Form):
    receipt = forms.RegexField(
        label=_("Your receipt code"),
        regex=r"^\s*[0-9a-fA-F]{64}\s*$",
        error_messages={"invalid": _("A receipt code is 64 characters, 0-9 and a-f.")},
    )


class AttendanceForm(forms.Form):
    """A member, by their number (recorded present in the room)."""

    number = forms.IntegerField(label=_("Member number"), min_value=1)

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        self.member = member_numbered(number)
        return number


class MemberNumberReasonForm(AttendanceForm):
    """A member, by their number, and why (added to a frozen roll)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class PaperTotalsForm(forms.Form):
    votes_for = forms.IntegerField(label=_("For"), min_value=0, initial=0)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, initial=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)
    blank = forms.IntegerField(label=_("Blank"), min_value=0, initial=0)


class KeyUploadForm(forms.Form):
    key = forms.FileField(label=_("Tellers' key file"))

    def clean_key(self):
        upload = self.cleaned_data["key"]
        if upload.size > 4096:
            raise forms.ValidationError(_("A key file is a few hundred bytes."))
        return upload.read()
