"""Decisions taken from an item's own page in the back-office (approve, refuse, ask for
information…), then on to the next item of the same queue.

An admin lists its `decisions`: each calls the same service as the list action of the same
name (the rule lives in the service, once). The change page shows a button for each decision
the item's state allows and the user may take (`has_review_permission`). A decision with a
form (a reason) opens a page with the form; a refusal by the service naming a field of the
form shows the page again (400) with the message, and nothing is saved (each service is one
transaction). Once decided, the advisor is taken to the next pending item of the queue
(`queue_rows`, within their office, in the list's order: newest first), or back to the queue
with "queue empty".

Another office's item is not in the admin's queryset: its decision URL answers 404 and
changes nothing; a user without the review permission gets 403.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext, gettext_lazy, ngettext

from core.admin_kit import NOTHING, form_page
from core.forms import add_service_errors

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object


def _always(obj: Any) -> bool:
    return True


@dataclass(frozen=True)
class Decision:
    """One decision on one item: `apply(obj, user, cleaned_data)` calls the service;
    `done` (with %(object)s) says what was done; `form_class`: the form to fill first (a
    reason); `allowed(obj)`: the item's state allows it; `form_kwargs(obj)`: what the form
    needs."""

    name: str
    label: "StrOrPromise"
    apply: Callable[[Any, Any, dict[str, Any]], object]
    done: "StrOrPromise"
    form_class: type[forms.Form] | None = None
    allowed: Callable[[Any], bool] = _always
    intro: "StrOrPromise" = ""
    form_kwargs: Callable[[Any], Mapping[str, Any]] | None = None
    primary: bool = field(default=False)


@dataclass(frozen=True)
class DecisionButton:
    label: str
    url: str
    with_form: bool
    primary: bool


class DecisionPagesMixin(_ModelAdmin):
    """Buttons on the change page for `decisions`, one URL each
    (`<id>/decide/<name>/`), the next item of the queue after each. `queue_rows(request)`:
    the pending items (default: status "submitted"), `queue_query`: the list's filter."""

    decisions: Sequence[Decision] = ()
    queue_query = "status__exact=submitted"
    change_form_template = "admin/decision_change_form.html"

    def item_label(self, obj: Any) -> str:
        """How messages name the item."""
        return str(obj)

    def queue_rows(self, request: HttpRequest) -> QuerySet:
        return self.get_queryset(request).filter(status="submitted")

    def may_decide(self, request: HttpRequest) -> bool:
        check: Callable[[HttpRequest], bool] | None = getattr(self, "has_review_permission", None)
        return bool(check and check(request))

    def _name(self, view: str) -> str:
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_{view}"

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decision_view),
                name=self._name("decide"),
            )
        ]
        return own + super().get_urls()

    def decision_buttons(self, request: HttpRequest, obj: Any) -> list[DecisionButton]:
        if obj is None or obj.pk is None or not self.may_decide(request):
            return []
        return [
            DecisionButton(
                label=str(decision.label),
                url=reverse(f"admin:{self._name('decide')}", args=[obj.pk, decision.name]),
                with_form=decision.form_class is not None,
                primary=decision.primary,
            )
            for decision in self.decisions
            if decision.allowed(obj)
        ]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        context["decision_buttons"] = self.decision_buttons(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # The decision's page ---------------------------------------------------------------------

    def decision_view(self, request: HttpRequest, object_id: str, decision: str) -> HttpResponse:
        chosen = next((item for item in self.decisions if item.name == decision), None)
        obj = self.get_object(request, object_id)  # scoped by office: None for another's
        if chosen is None or obj is None:
            raise Http404(gettext("No such item or decision."))
        if not self.may_decide(request):
            raise PermissionDenied
        change_url = reverse(f"admin:{self._name('change')}", args=[obj.pk])
        if not chosen.allowed(obj):
            self.message_user(
                request,
                gettext("This decision no longer applies to %s.") % self.item_label(obj),
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        if chosen.form_class is None:
            if request.method != "POST":
                return HttpResponseRedirect(change_url)
            return self._decide(request, obj, chosen, {}, change_url) or HttpResponseRedirect(
                change_url
            )
        extra = chosen.form_kwargs(obj) if chosen.form_kwargs else {}
        form = chosen.form_class(request.POST if request.method == "POST" else None, **extra)
        if form.is_bound and form.is_valid():
            response = self._decide(request, obj, chosen, form.cleaned_data, change_url, form)
            if response is not None:
                return response
        return self._form_page(request, obj, chosen, form)

    def _form_page(
        self, request: HttpRequest, obj: Any, decision: Decision, form: forms.Form
    ) -> TemplateResponse:
        return form_page(
            self,
            request,
            form=form,
            title=f"{decision.label} — {self.item_label(obj)}",
            intro=str(decision.intro),
            submit_label=str(decision.label),
            status=400 if form.is_bound and form.errors else 200,
        )

    def _decide(
        self,
        request: HttpRequest,
        obj: Any,
        decision: Decision,
        data: dict[str, Any],
        change_url: str,
        form: forms.Form | None = None,
    ) -> HttpResponse | None:
        """The service's call; None when it refused a field of the form (shown again)."""
        try:
            decision.apply(obj, request.user, data)
        except ValidationError as error:
            named = hasattr(error, "error_dict") and form is not None
            if named and any(name in form.fields for name in error.error_dict):  # type: ignore[union-attr]
                add_service_errors(form, error)  # type: ignore[arg-type]
                return None
            self.message_user(
                request, f"{self.item_label(obj)}: {' '.join(error.messages)}", messages.ERROR
            )
            return HttpResponseRedirect(change_url)
        except PermissionDenied as error:
            self.message_user(
                request,
                f"{self.item_label(obj)}: {error or gettext('Not allowed.')}",
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        self.message_user(
            request, str(decision.done) % {"object": self.item_label(obj)}, messages.SUCCESS
        )
        return self._next(request, obj)

    def next_in_queue(self, request: HttpRequest, current: Any) -> Any:
        """The pending item after `current` in the list's order (newest first), or the
        first one when `current` was the last; None when the queue is empty."""
        rows = self.queue_rows(request).exclude(pk=current.pk).order_by("-pk")
        return rows.filter(pk__lt=current.pk).first() or rows.first()

    def _next(self, request: HttpRequest, current: Any) -> HttpResponse:
        following = self.next_in_queue(request, current)
        if following is not None:
            return HttpResponseRedirect(
                reverse(f"admin:{self._name('change')}", args=[following.pk])
            )
        self.message_user(request, gettext("Queue empty: nothing else waits."), messages.INFO)
        url = reverse(f"admin:{self._name('changelist')}")
        return HttpResponseRedirect(f"{url}?{self.queue_query}" if self.queue_query else url)


# The queues' columns ----------------------------------------------------------------------


def days_waiting(since: date | datetime | None, today: date | None = None) -> int | None:
    """Whole days from `since` (a date, or a moment read in local time) to today."""
    if since is None:
        return None
    day = timezone.localdate(since) if isinstance(since, datetime) else since
    return ((today or timezone.localdate()) - day).days


def age_column(field: str) -> Callable[[Any, Any], str]:
    """A list column "age" (`age = age_column(…)` in the admin's class, "age" in its
    list_display): the days since the item's `field` (submitted, created…)."""

    @admin.display(description=gettext_lazy("age"), ordering=field)
    def age(model_admin: Any, obj: Any) -> str:
        days = days_waiting(getattr(obj, field))
        if days is None:
            return NOTHING
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}

    return age


def with_note(text: object, note: object) -> str:
    """A cell's value with a small second line (`note`), both escaped."""
    if note in (None, ""):
        return conditional_escape(str(text))
    return format_html('{}<span class="cell-note">{}</span>', text, note)
