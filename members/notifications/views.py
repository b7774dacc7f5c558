"""The account's notifications page (newest first, mark read, open the object) and its
e-mail preferences. Any signed-in account has them: an invited worker has no member file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from members.models import Notification

from .forms import NotificationEmailsForm
from .kinds import kind_label, kind_text
from .selectors import emails_off, notifications_of
from .services import notification_emails_set, notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 20


def get_own_notification_or_404(request, pk) -> Notification:
    """One of the signed-in account's notifications, or 404."""
    return get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)


@login_required
def notification_list(request):
    page = Paginator(notifications_of(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "notification": notification,
            "label": kind_label(notification.kind),
            "text": kind_text(notification.kind, notification.params),
            "reason": notification.params.get("reason", ""),
            "question": notification.params.get("question", ""),
        }
        for notification in page.object_list
    ]
    return render(request, "portal/notifications/list.html", {"page": page, "rows": rows})


def _safe_link(request, link: str) -> bool:
    return bool(link) and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()})


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one read; with `open`, go on to what it is about."""
    notification = get_own_notification_or_404(request, pk)
    notification_mark_read(notification=notification, by=request.user)
    if "open" in request.POST and _safe_link(request, notification.link):
        return redirect(notification.link)
    return redirect("portal:notification_list")


@login_required
@require_POST
def notification_read_all(request):
    count = notifications_mark_all_read(by=request.user)
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("portal:notification_list")


@login_required
def notification_emails(request):
    """Which e-mails the account gets: the optional ones can be switched off."""
    off = emails_off(user=request.user)
    data = request.POST if request.method == "POST" else None
    form = NotificationEmailsForm(data, off=off)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                notification_emails_set(user=request.user, by=request.user, off=form.emails_off())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your e-mail preferences are saved."))
                return redirect("portal:notification_emails")
        status = 400
    return render(request, "portal/notifications/emails.html", {"form": form}, status=status)
