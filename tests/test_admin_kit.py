"""The back-office's actions (core.admin_kit): one page, one limit, one way of reporting."""

from datetime import timedelta

import pytest
from django import forms
from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone
from django.utils.translation import ngettext_lazy

from core.admin_kit import (
    SELECTION_LIMIT,
    apply_each,
    day_field,
    each_action,
    reason_action,
    run_action_with_form,
)
from members.models import Member

DONE = ngettext_lazy("%(count)d done.", "%(count)d done.", "count")


class NoteForm(forms.Form):
    note = forms.CharField(required=False)


def _post(user, data):
    request = RequestFactory().post("/", data)
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _rows(count):
    return [Member(number=number, first_name="M", last_name=str(number)) for number in range(count)]


def _texts(request):
    return [str(message) for message in get_messages(request)]


@pytest.fixture
def member_admin():
    return admin.site._registry[Member]


@pytest.mark.django_db
def test_an_action_page_lists_up_to_500_rows_in_every_app(admin_user, member_admin):
    # The membership queues stopped at 200 rows where the invoicing and payroll ones went to
    # 500: one limit now, the larger, so 201 members get the page like 201 invoices.
    assert SELECTION_LIMIT == 500
    request = _post(admin_user, {"action": "x"})
    response = run_action_with_form(
        member_admin,
        request,
        _rows(201),
        form_class=NoteForm,
        title="t",
        apply=lambda obj, data: None,
        done_message=DONE,
    )
    assert response is not None and response.status_code == 200
    assert len(response.context_data["rows"]) == 201


@pytest.mark.django_db
def test_beyond_the_limit_the_action_asks_for_fewer_rows(admin_user, member_admin):
    request = _post(admin_user, {"action": "x"})
    response = run_action_with_form(
        member_admin,
        request,
        _rows(501),
        form_class=NoteForm,
        title="t",
        apply=lambda obj, data: None,
        done_message=DONE,
    )
    assert response is None
    assert _texts(request) == ["Choose at most 500 rows for this action."]


@pytest.mark.django_db
def test_each_refusal_is_reported_for_its_row_and_the_others_go_on(admin_user, member_admin):
    rows = _rows(3)

    def apply(obj):
        if obj.number == 1:
            raise ValidationError("Not this one.")
        if obj.number == 2:
            raise PermissionDenied

    request = _post(admin_user, {"action": "x"})
    apply_each(member_admin, request, rows, apply=apply, done_message=DONE)
    assert _texts(request) == ["1 done.", f"{rows[1]}: Not this one.", f"{rows[2]}: Not allowed."]


@pytest.mark.django_db
def test_a_refusal_naming_a_field_shows_the_form_again(admin_user, member_admin):
    def apply(obj, data):
        raise ValidationError({"note": "Say more."})

    request = _post(admin_user, {"action": "x", "apply": "yes", "note": ""})
    response = run_action_with_form(
        member_admin,
        request,
        _rows(2),
        form_class=NoteForm,
        title="t",
        apply=apply,
        done_message=DONE,
    )
    assert response.status_code == 400
    assert response.context_data["form"].errors == {"note": ["Say more."]}


@pytest.mark.django_db
def test_a_reason_action_calls_the_service_for_each_row_with_the_reason(admin_user, member_admin):
    calls = []

    def service(*, member, by, reason, urgent):
        if member.number == 1:
            raise ValidationError("Not this one.")
        calls.append((member.number, by, reason, urgent))

    action = reason_action("Reject", service, "member", urgent=True, done_message=DONE)
    rows = _rows(3)
    request = _post(admin_user, {"action": "x", "apply": "yes", "reason": "Too late."})
    assert action(member_admin, request, rows) is None
    assert calls == [(0, admin_user, "Too late.", True), (2, admin_user, "Too late.", True)]
    assert _texts(request) == ["2 done.", f"{rows[1]}: Not this one."]
    assert action.allowed_permissions == ["review"]


@pytest.mark.django_db
def test_an_each_action_calls_the_service_for_each_row_without_a_form(admin_user, member_admin):
    calls = []
    action = each_action(
        "Close",
        lambda *, member, by: calls.append((member.number, by)),
        "member",
        done_message=DONE,
        rows=lambda rows: rows[:1],
        permissions=["close"],
    )
    request = _post(admin_user, {"action": "x"})
    action(member_admin, request, _rows(3))
    assert calls == [(0, admin_user)]
    assert action.allowed_permissions == ["close"]


def test_a_past_day_field_refuses_a_later_day_and_defaults_to_today():
    class DayForm(forms.Form):
        on = day_field("On", past=True)
        due = day_field("Due")

    later = (timezone.localdate() + timedelta(days=2)).isoformat()
    earlier = (timezone.localdate() - timedelta(days=2)).isoformat()
    assert DayForm({"on": later, "due": later}).errors == {
        "on": ["The date can't be in the future."]
    }
    assert DayForm({"on": earlier, "due": later}).is_valid()
    assert DayForm().fields["on"].initial is timezone.localdate
