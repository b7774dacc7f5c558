"""The back-office's side menu (core/templatetags/admin_menu.py): written once per menu, the
same HTML as Django's own sidebar, never one user's menu shown to another."""

import re

import pytest
from django.contrib import admin
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.test.html import parse_html
from django.urls import reverse
from django.utils import translation

from core.templatetags import admin_menu
from tests.conftest import _with_mfa

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="sticky" id="nav-sidebar".*?</nav>', re.S)


@pytest.fixture(autouse=True)
def _empty_memo():
    admin_menu.rendered_menus.rows.clear()
    yield
    admin_menu.rendered_menus.rows.clear()


def _sidebar(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return NAV.search(response.content.decode()).group(0)


def _djangos_list(user, url: str, language: str = "fr") -> str:
    """What Django's sidebar template writes for this user on this page."""
    request = RequestFactory().get(url)
    request.user = user
    with translation.override(language):
        return render_to_string(
            "admin/app_list.html",
            {
                "app_list": admin.site.get_app_list(request),
                "show_changelinks": False,
                "request": request,
            },
        )


def _menu_of(nav: str):
    """The menu's list, parsed (the nav minus its button, filter field and wrapper)."""
    inner = nav.split(">", 1)[1].rsplit("</nav>", 1)[0]
    inner = re.sub(r"<input[^>]*>", "", inner, count=1)
    return parse_html(inner)


def _client(user) -> HttpClient:
    client = HttpClient()
    client.force_login(_with_mfa(user))
    return client


def test_sidebar_is_djangos_from_the_memo_too(admin_user):
    client = _client(admin_user)
    url = reverse("admin:invoicing_invoice_changelist")
    first = _sidebar(client, url)
    assert len(admin_menu.rendered_menus.rows) == 1
    second = _sidebar(client, url)
    assert len(admin_menu.rendered_menus.rows) == 1  # the second page read it
    assert second == first
    assert _menu_of(second) == parse_html(_djangos_list(admin_user, url))


def test_current_model_follows_the_page(admin_user):
    client = _client(admin_user)
    invoices = _sidebar(client, reverse("admin:invoicing_invoice_changelist"))
    members = _sidebar(client, reverse("admin:members_member_changelist"))
    assert re.search(r'class="model-invoice current-model"', invoices)
    assert not re.search(r'class="model-invoice current-model"', members)
    assert re.search(r'class="model-member current-model"', members)
    assert len(admin_menu.rendered_menus.rows) == 2


def test_an_advisor_never_gets_the_superusers_menu(admin_user, claire):
    url = reverse("admin:invoicing_invoice_changelist")
    full = _sidebar(_client(admin_user), url)
    advisors = _sidebar(_client(claire), url)
    assert advisors != full
    assert _menu_of(advisors) == parse_html(_djangos_list(claire, url))
    # A model the superuser is offered and the advisor is not: not in the advisor's menu.
    superusers_only = reverse("admin:auth_group_changelist")
    assert superusers_only in full
    assert superusers_only not in advisors


def test_each_language_its_own_menu(admin_user):
    client = _client(admin_user)
    url = reverse("admin:invoicing_invoice_changelist")
    french = _sidebar(client, url)
    client.cookies["django_language"] = "nl"
    dutch = _sidebar(client, url)
    assert dutch != french
    assert _menu_of(dutch) == parse_html(_djangos_list(admin_user, url, "nl"))


def test_memo_is_bounded(monkeypatch):
    memo = admin_menu._Rendered(2)
    for n in range(3):
        memo.put((n,), str(n))
    assert memo.get((0,)) is None
    assert memo.get((1,)) == "1"
    memo.put((3,), "3")  # (1,) was just read: (2,) goes
    assert memo.get((2,)) is None
    assert memo.get((1,)) == "1"
