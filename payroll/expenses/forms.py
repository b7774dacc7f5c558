"""Portal forms of expense claims: the claim (phone-friendly, receipt from the camera) and the
filters of the list. Types only: every rule is payroll.expenses.services'."""

from datetime import date

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from payroll.models import ExpenseCategory, ExpenseClaim, Job
from production_units.models import ProductionUnit

from .services import claimable_jobs, claimable_units, claims_of_user

FIRST_YEAR = 2019


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class UnitSelect(forms.Select):
    """Unit options carry their tool (data-tool: "3en1" or "activity")."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        unit = getattr(value, "instance", None)
        if unit is not None:
            option["attrs"]["data-tool"] = unit.tool
        return option


class JobSelect(forms.Select):
    """Job options carry their unit (data-unit)."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        job = getattr(value, "instance", None)
        if job is not None:
            option["attrs"]["data-unit"] = str(job.unit_id)
        return option


class ExpenseClaimForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Production unit"), queryset=ProductionUnit.objects.none(), empty_label=None
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ExpenseCategory.objects.order_by("name"), empty_label=None
    )
    spent_on = forms.DateField(label=_("Date of the expense"), widget=DateInput())
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        help_text=_("What, for whom: e.g. train Brussels–Liège for the concert of 18 October."),
    )
    amount = forms.DecimalField(
        label=_("Amount, VAT included (€)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    vat = forms.DecimalField(
        label=_("Of which VAT (€)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("As printed on the receipt; 0 when there is none."),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    distance_km = forms.DecimalField(
        label=_("Distance (km)"),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=1,
        help_text=_("Mileage only: the amount is the distance × the rate per km in force."),
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    # No `capture` here: it would force the camera on a phone, and a PDF from the phone's files
    # could not be chosen. The page adds a second input named "receipt" for the camera (same
    # field, same upload limit); the form takes one file.
    receipt = forms.FileField(
        label=_("Receipt"),
        required=False,
        help_text=_("A photo (JPEG or PNG) or a PDF, up to 10 MB. Not needed for mileage."),
        widget=forms.FileInput(
            attrs={
                "accept": "image/*,application/pdf,.pdf",
                "class": "visually-hidden",
                "aria-describedby": "receipt-help",
                "data-receipt-input": "",
            }
        ),
    )
    job = forms.ModelChoiceField(
        label=_("Job (3en1)"),
        required=False,
        queryset=Job.objects.none(),
        help_text=_("Tie the expense to a job: its invoice pays it."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = claimable_units(user).order_by("code")
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.code} · {unit.name}"
        jobs = claimable_jobs(user).select_related("unit").order_by("-created_at")
        self.fields["job"].queryset = jobs
        self.fields["job"].label_from_instance = lambda job: f"{job.unit.code} · {job.description}"
        # Each job names its unit, each unit its tool: the page offers a job only for a
        # 3en1 unit, and only that unit's jobs (the service refuses any other).
        self.fields["job"].widget = JobSelect(choices=self.fields["job"].choices)
        self.fields["unit"].widget = UnitSelect(choices=self.fields["unit"].choices)
        if not jobs.exists():
            del self.fields["job"]
        self.fields["spent_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.mileage_ids = [
            str(pk)
            for pk in ExpenseCategory.objects.filter(is_mileage=True).values_list("pk", flat=True)
        ]

    def clean_receipt(self):
        if len(self.files.getlist(self.add_prefix("receipt"))) > 1:
            raise forms.ValidationError(
                _("Send one receipt: the photo or the file, not both."), code="two_receipts"
            )
        return self.cleaned_data.get("receipt")

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "unit": data["unit"],
            "category": data["category"],
            "spent_on": data["spent_on"],
            "description": data["description"],
            "amount": data.get("amount"),
            "vat": data.get("vat"),
            "distance_km": data.get("distance_km"),
            "receipt": data.get("receipt") or None,
            "job": data.get("job"),
        }


def year_choices() -> list[tuple[str, str | Promise]]:
    this_year = timezone.localdate().year
    return [("", _("All"))] + [(str(y), str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)]


class ExpenseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + ExpenseClaim.Status.choices
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), required=False, queryset=ProductionUnit.objects.none()
    )
    year = forms.TypedChoiceField(
        label=_("Year of the expense"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        self.fields["unit"].queryset = ProductionUnit.objects.filter(
            Q(pk__in=claims_of_user(user).values("unit"))
            | Q(pk__in=claimable_units(user).values("pk"))
        ).order_by("code")
        self.fields["unit"].label_from_instance = lambda unit: unit.code

    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def filter(self, claims):
        data = self.cleaned_data
        if data.get("status"):
            claims = claims.filter(status=data["status"])
        if data.get("unit"):
            claims = claims.filter(unit=data["unit"])
        if data.get("year"):
            year = data["year"]
            claims = claims.filter(spent_on__gte=date(year, 1, 1), spent_on__lte=date(year, 12, 31))
        return claims
