"""Portal pages of workers: a unit's workers and invitations (for its holder), the public
page where an invitee accepts, and the calendars of declared days."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.calendar import parse_month
from core.forms import add_service_errors
from core.permissions import member_required
from payroll.access import (
    get_held_unit_or_404,
    get_own_invitation_or_404,
    get_unit_worker_or_404,
    worker_or_member_required,
)
from payroll.models import UnitWorker, WorkerInvitation
from production_units.models import ProductionUnit

from .calendar import unit_calendar, worker_calendar, worker_work_days
from .forms import AcceptForm, InviteForm
from .invitation_mail import INVITATION_VALID_DAYS, invitation_effective_status
from .invitation_services import (
    invitation_by_token,
    worker_invitation_accept,
    worker_invitation_revoke,
    worker_invite,
)
from .worker_services import unit_worker_end, worker_of_user

ICS_PAST_DAYS = 366  # the .ics export: a year back, and everything declared ahead


def _language() -> str:
    return (translation.get_language() or "fr")[:2]


# A unit's workers -------------------------------------------------------------------------


def _unit_workers_page(request, unit, form, *, status=200):
    today = timezone.localdate()
    links = (
        UnitWorker.objects.filter(unit=unit)
        .select_related("worker")
        .order_by("ended_on", "-is_holder", "worker__last_name", "worker__first_name")
    )
    invitations = list(WorkerInvitation.objects.filter(unit=unit).order_by("-created_at")[:50])
    for invitation in invitations:
        invitation.effective_status = invitation_effective_status(invitation, today=today)
    context = {
        "unit": unit,
        "active": [link for link in links if link.ended_on is None],
        "former": [link for link in links if link.ended_on is not None],
        "pending": [
            i for i in invitations if i.effective_status == WorkerInvitation.Status.PENDING
        ],
        "answered": [
            i for i in invitations if i.effective_status != WorkerInvitation.Status.PENDING
        ][:10],
        "form": form,
        "can_invite": unit.status == unit.Status.ACTIVE,
        "valid_days": INVITATION_VALID_DAYS,
    }
    return render(request, "payroll/workers/unit_workers.html", context, status=status)


def _invite_form(request, data=None):
    return InviteForm(data, initial={"language": _language()})


@member_required
def unit_workers(request, pk):
    unit = get_held_unit_or_404(request, pk)
    return _unit_workers_page(request, unit, _invite_form(request))


@member_required
def worker_invite_view(request, pk):
    unit = get_held_unit_or_404(request, pk)
    if request.method != "POST":
        return _unit_workers_page(request, unit, _invite_form(request))
    form = _invite_form(request, request.POST)
    if form.is_valid():
        try:
            invitation = worker_invite(
                unit=unit,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                by=request.user,
                language=form.cleaned_data["language"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works until %(day)s.")
                % {
                    "email": invitation.email,
                    "day": date_format(invitation.expires_on, "SHORT_DATE_FORMAT"),
                },
            )
            return redirect("portal:workers_unit", pk=unit.pk)
    return _unit_workers_page(request, unit, form, status=400)


def _confirm(request, context, *, status=200):
    return render(request, "payroll/workers/confirm.html", context, status=status)


@member_required
def invitation_revoke_view(request, pk):
    invitation = get_own_invitation_or_404(request, pk)
    context = {
        "unit": invitation.unit,
        "back_url": reverse("portal:workers_unit", args=[invitation.unit_id]),
        "title": _("Revoke the invitation of %(email)s?") % {"email": invitation.email},
        "paragraphs": [_("The link in the email stops working. You can invite them again later.")],
        "button": _("Revoke the invitation"),
    }
    if request.method != "POST":
        return _confirm(request, context)
    try:
        worker_invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        context["errors"] = error.messages
        return _confirm(request, context, status=400)
    messages.success(
        request, _("The invitation of %(email)s is revoked.") % {"email": invitation.email}
    )
    return redirect("portal:workers_unit", pk=invitation.unit_id)


@member_required
def unit_worker_end_view(request, pk, worker_pk):
    unit = get_held_unit_or_404(request, pk)
    worker = get_unit_worker_or_404(unit, worker_pk)
    context = {
        "unit": unit,
        "back_url": reverse("portal:workers_unit", args=[unit.pk]),
        "title": _("Stop working with %(name)s?") % {"name": worker},
        "paragraphs": [
            _(
                "From today, the unit can no longer declare work for them. What was declared "
                "and paid stays; their account stays open for their payslips."
            )
        ],
        "button": _("Stop working together"),
    }
    if request.method != "POST":
        return _confirm(request, context)
    try:
        unit_worker_end(unit=unit, worker=worker, by=request.user)
    except ValidationError as error:
        context["errors"] = error.messages
        return _confirm(request, context, status=400)
    messages.success(request, _("%(name)s no longer works for this unit.") % {"name": worker})
    return redirect("portal:workers_unit", pk=unit.pk)


# Accepting an invitation (public: the token is the key) ------------------------------------


def invitation_accept(request, token):
    invitation = invitation_by_token(token)
    if invitation is None:
        raise Http404(_("No invitation has this link."))
    status = invitation_effective_status(invitation)
    if (
        status != WorkerInvitation.Status.PENDING
        or invitation.unit.status != ProductionUnit.Status.ACTIVE
    ):
        context = {"invitation": invitation, "status": status}
        return render(request, "payroll/workers/invitation_gone.html", context, status=410)
    context = {"invitation": invitation, "unit": invitation.unit}
    user = request.user if request.user.is_authenticated else None
    if user is not None and user.email.strip().lower() != invitation.email:
        context["wrong_account"] = True
        return render(request, "payroll/workers/accept.html", context, status=403)
    if user is None and get_user_model().objects.filter(email__iexact=invitation.email).exists():
        context["login_first"] = True
        context["login_url"] = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        return render(request, "payroll/workers/accept.html", context)
    form = AcceptForm(
        request.POST or None, needs_password=user is None, initial=_initial(invitation, user)
    )
    context["form"] = form
    if request.method != "POST":
        return render(request, "payroll/workers/accept.html", context)
    if form.is_valid():
        response = _accept(request, invitation, form, user)
        if response is not None:
            return response
    return render(request, "payroll/workers/accept.html", context, status=400)


def _accept(request, invitation, form, user):
    """Accept the invitation with the valid form: the redirect to the worker's calendar (the
    new account logged in), or None when the service refused (its errors are on the form)."""
    try:
        worker = worker_invitation_accept(
            invitation=invitation,
            identity=form.identity(),
            user=user,
            password=form.cleaned_data.get("password", ""),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    except PermissionDenied as error:
        form.add_error(None, str(error))
        return None
    if user is None:
        login(request, worker.user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request,
        _("Welcome! You now work for %(unit)s. Your declared days will show here.")
        % {"unit": invitation.unit.name},
    )
    return redirect("portal:workers_calendar")


def _initial(invitation, user) -> dict:
    """The names from the invitation, or the worker file the account already has."""
    worker = worker_of_user(user) if user is not None else None
    if worker is None:
        return {"first_name": invitation.first_name, "last_name": invitation.last_name}
    return {
        name: getattr(worker, name)
        for name in ("first_name", "last_name", "birth_date", "street", "postal_code", "city")
    } | {"country": worker.country}


# Calendars --------------------------------------------------------------------------------


def _month_or_error(request):
    today = timezone.localdate()
    try:
        return parse_month(request.GET.get("month"), default=today), today, None
    except ValidationError as error:
        return today.replace(day=1), today, error.message_dict["month"][0]


@worker_or_member_required
def my_calendar(request):
    month, today, error = _month_or_error(request)
    worker = worker_of_user(request.user)
    context = {
        "calendar": worker_calendar(worker=worker, month=month, today=today, language=_language()),
        "worker": worker,
        "month_error": error,
        "per_worker": False,
    }
    return render(request, "payroll/workers/calendar.html", context, status=400 if error else 200)


@member_required
def unit_calendar_view(request, pk):
    unit = get_held_unit_or_404(request, pk)
    month, today, error = _month_or_error(request)
    context = {
        "calendar": unit_calendar(unit=unit, month=month, today=today, language=_language()),
        "unit": unit,
        "month_error": error,
        "per_worker": True,
    }
    return render(request, "payroll/workers/calendar.html", context, status=400 if error else 200)


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@worker_or_member_required
def my_calendar_ics(request):
    """My declared days as an iCalendar file (all-day events), for a phone's calendar."""
    worker = worker_of_user(request.user)
    since = timezone.localdate() - timedelta(days=ICS_PAST_DAYS)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//SmartCoop//Work calendar//EN",
        "CALSCALE:GREGORIAN",
    ]
    for day in worker_work_days(worker=worker).filter(date__gte=since):
        summary = _("%(function)s for %(unit)s (%(hours)s h)") % {
            "function": day.function,
            "unit": day.unit.name,
            "hours": day.hours,
        }
        lines += [
            "BEGIN:VEVENT",
            f"UID:workday-{day.pk}@smartcoop",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day.date + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_text(summary)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    response = HttpResponse(
        "\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="smartcoop-work.ics"'
    return response
