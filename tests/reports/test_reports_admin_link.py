"""The admin index leads to the dashboards for those who may see them (the board, the admin
role, advisors for their office) and shows nothing to the other back-office accounts."""

import pytest
from django.urls import reverse

from members.models import User
from tests.conftest import _with_mfa

pytestmark = pytest.mark.django_db


def _index(client, user):
    client.force_login(_with_mfa(user))
    return client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("who", ["denis", "admin_user", "claire"])
def test_those_who_may_see_the_dashboards_get_the_entry(client, request, who):
    page = _index(client, request.getfixturevalue(who))
    assert page.status_code == 200
    assert b'id="reports-dashboards"' in page.content
    assert reverse("reports:index").encode() in page.content


def test_a_back_office_account_without_office_nor_board_role_gets_nothing(client):
    clerk = User.objects.create_user(email="clerk@example.org", password="x", is_staff=True)
    page = _index(client, clerk)
    assert page.status_code == 200
    assert b'id="reports-dashboards"' not in page.content
    assert reverse("reports:index").encode() not in page.content
    assert client.get(reverse("reports:index")).status_code == 403
