"""Portal pages of a worker's pay: payslips (list, CSV, detail, PDF) and attestations (list,
request, PDF). The owner is the Worker whose account is the logged-in user; anyone else's
payslip or attestation is a 404. A member without a Worker record sees what to do; an account
that is neither member nor worker (staff) gets the portal's refusal page."""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import csv_response, refused_download
from core.forms import DateInput
from payroll.access import worker_or_member_required
from payroll.models import Attestation, Payslip
from payroll.workers.worker_services import worker_of_user

from .attestations import attestation_request
from .payslips import payslip_context, payslip_pdf_render

PAGE_SIZE = 24


def my_payslips(user):
    """The payslips of the user's Worker record (none for an anonymous user)."""
    if not getattr(user, "is_authenticated", False):
        return Payslip.objects.none()
    return Payslip.objects.filter(worker__user=user)


def my_attestations(user):
    """The attestations of the user's Worker record (none for an anonymous user)."""
    if not getattr(user, "is_authenticated", False):
        return Attestation.objects.none()
    return Attestation.objects.filter(worker__user=user)


def get_own_payslip_or_404(request, pk) -> Payslip:
    """A payslip of the logged-in worker, or 404."""
    return get_object_or_404(my_payslips(request.user).select_related("worker", "run"), pk=pk)


def get_own_attestation_or_404(request, pk) -> Attestation:
    """An attestation of the logged-in worker, or 404."""
    return get_object_or_404(my_attestations(request.user), pk=pk)


class PayslipFilterForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2100
    )

    def filter(self, payslips):
        year = self.cleaned_data.get("year")
        return payslips.filter(period__year=year) if year else payslips

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and bool(self.data.get("year"))


def _filtered_payslips(request):
    form = PayslipFilterForm(request.GET or None)
    payslips = my_payslips(request.user).order_by("-period", "-pk")
    valid = True
    if form.is_bound:
        valid = form.is_valid()
        if valid:
            payslips = form.filter(payslips)
    return form, payslips, valid


@worker_or_member_required
def payslip_list(request):
    form, payslips, valid = _filtered_payslips(request)
    page = Paginator(payslips, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filters_ignored": not valid,
        "worker": worker_of_user(request.user),
    }
    return render(request, "payroll/pay/payslip_list.html", context, status=200 if valid else 400)


CSV_COLUMNS = [
    ("period", gettext_lazy("period")),
    ("days", gettext_lazy("work days")),
    ("hours", gettext_lazy("hours")),
    ("gross", gettext_lazy("gross salary")),
    ("employee_social_security", gettext_lazy("employee social security")),
    ("taxable", gettext_lazy("taxable pay")),
    ("withholding", gettext_lazy("withholding tax")),
    ("net", gettext_lazy("net salary")),
    ("advances_paid", gettext_lazy("advances already paid")),
    ("balance_due", gettext_lazy("balance to pay")),
    ("brought_forward", gettext_lazy("negative balance brought forward")),
    ("carried_forward", gettext_lazy("negative balance carried forward")),
]


@worker_or_member_required
def payslip_list_csv(request):
    form, payslips, valid = _filtered_payslips(request)
    if not valid:
        return refused_download(form)
    rows = (
        [f"{value:%Y-%m}" if isinstance(value, date) else value for value in row]
        for row in payslips.values_list(*(name for name, _title in CSV_COLUMNS))
    )
    header = [title for _name, title in CSV_COLUMNS]
    return csv_response(filename="payslips.csv", header=header, rows=rows, bom=False)


@worker_or_member_required
def payslip_detail(request, pk):
    payslip = get_own_payslip_or_404(request, pk)
    payout = getattr(payslip, "payout", None) if payslip.balance_due > 0 else None
    context = {**payslip_context(payslip), "payout": payout}
    return render(request, "payroll/pay/payslip_detail.html", context)


@worker_or_member_required
def payslip_pdf(request, pk):
    payslip = payslip_pdf_render(payslip=get_own_payslip_or_404(request, pk))
    return FileResponse(
        payslip.pdf.open("rb"),
        as_attachment=True,
        filename=f"payslip-{payslip.period:%Y-%m}.pdf",
        content_type="application/pdf",
    )


# --- attestations ---------------------------------------------------------------------------


class AttestationRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Attestation"), choices=Attestation.Kind.choices)
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=gettext_lazy("For a yearly income summary: the calendar year."),
    )
    period_start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("For an employment attestation: the first day of the period."),
    )
    period_end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("kind") == Attestation.Kind.YEARLY_INCOME:
            if data.get("year"):
                data["period_start"] = date(data["year"], 1, 1)
                data["period_end"] = date(data["year"], 12, 31)
            elif not data.get("period_start"):
                self.add_error("year", _("Choose the year of the summary."))
        else:
            for name in ("period_start", "period_end"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Enter a date."))
        return data


@worker_or_member_required
def attestation_list(request):
    attestations = my_attestations(request.user).order_by("-created_at", "-pk")
    page = Paginator(attestations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "worker": worker_of_user(request.user)}
    return render(request, "payroll/pay/attestation_list.html", context)


@worker_or_member_required
def attestation_create(request):
    worker = worker_of_user(request.user)
    if worker is None:
        return render(request, "payroll/pay/attestation_form.html", {"worker": None})
    today = timezone.localdate()
    form = AttestationRequestForm(
        request.POST or None, initial={"year": today.year - 1, "period_end": today}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                attestation_request(
                    worker=worker,
                    kind=data["kind"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    by=request.user,
                )
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    field = name if name in form.fields else None
                    if (
                        field in ("period_start", "period_end")
                        and data["kind"] == Attestation.Kind.YEARLY_INCOME
                        and data.get("year")
                    ):
                        field = "year"
                    for message in errors:
                        form.add_error(field, message)
            else:
                messages.success(
                    request, _("Your attestation is being prepared: it will be here in a moment.")
                )
                return redirect("portal:pay_attestation_list")
        status = 400
    context = {"form": form, "worker": worker}
    return render(request, "payroll/pay/attestation_form.html", context, status=status)


@worker_or_member_required
def attestation_pdf(request, pk):
    attestation = get_own_attestation_or_404(request, pk)
    if attestation.status != Attestation.Status.READY or not attestation.pdf:
        if attestation.status == Attestation.Status.FAILED:
            messages.error(request, _("This attestation could not be prepared: ask again."))
        else:
            messages.info(request, _("This attestation is being prepared: try again in a moment."))
        return redirect("portal:pay_attestation_list")
    return FileResponse(
        attestation.pdf.open("rb"),
        as_attachment=True,
        filename=f"attestation-{attestation.kind}-{attestation.period_start:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )
