"""The back-office's admin site (core/admin_site.py): the same menu and row checkboxes as
Django's own, made cheaper; and the trigram indexes of the name searches on PostgreSQL."""

import pytest
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.db import connection
from django.test import RequestFactory
from django.test.html import parse_html
from django.urls import resolve, reverse
from django.utils import translation

from core.admin_kit import staff_choices
from core.admin_site import CoopAdminSite, RowCheckboxMixin, RowLinksChangeList
from invoicing.models import Client, Invoice
from members.models import Member, User
from production_units.models import ProductionUnit
from tests.invoicing_helpers import issued_invoice, line, make_client

pytestmark = pytest.mark.django_db


def _invoice(alice, claire):
    unit = ProductionUnit.objects.get(code="UP-0001")
    return issued_invoice(alice, unit, make_client(alice, unit, verify_by=claire), [line()])


def test_the_default_site_is_the_platforms():
    assert isinstance(admin.site, CoopAdminSite)
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, RowCheckboxMixin), model._meta.label


class _DjangosSite:
    """Django's own menu of the platform's registry (its `_build_app_dict`, not ours)."""

    def __init__(self, site):
        self._registry, self.name = site._registry, site.name

    _build_app_dict = AdminSite._build_app_dict
    get_app_list = AdminSite.get_app_list


def _plain(app_list):
    return [
        {**app, "name": str(app["name"]), "models": [
            {**model, "name": str(model["name"])} for model in app["models"]
        ]}
        for app in app_list
    ]  # fmt: skip


@pytest.mark.parametrize("user", ["admin_user", "claire", "denis"])
def test_menu_urls_and_permissions_are_djangos(request, user):
    """Per user (superuser, advisor, board member), page after page: the URLs come from the
    site's memo from the second page on, the permissions are asked each time."""
    http = RequestFactory().get("/admin/")
    http.user = request.getfixturevalue(user)
    for _ in range(2):
        assert _plain(admin.site.get_app_list(http)) == _plain(
            _DjangosSite(admin.site).get_app_list(http)
        )
    for label in ("invoicing", "governance"):
        assert _plain(admin.site.get_app_list(http, label)) == _plain(
            _DjangosSite(admin.site).get_app_list(http, label)
        )


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_menu_is_djangos_menu_in_the_same_order(admin_user, language):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    with translation.override(language):
        ours = admin.site.get_app_list(request)
        djangos = _DjangosSite(admin.site).get_app_list(request)
        assert [app["name"] for app in ours] == [str(app["name"]) for app in djangos]
        for app, theirs in zip(ours, djangos, strict=True):
            assert [model["name"] for model in app["models"]] == [
                str(model["name"]) for model in theirs["models"]
            ]
            assert [model["admin_url"] for model in app["models"]] == [
                model["admin_url"] for model in theirs["models"]
            ]
        # Everything else as Django's: the URLs (reversed once per process here), the
        # permissions, the app's own page.
        assert _plain(ours) == _plain(djangos)
    # Translated once: plain strings, in the language asked for.
    assert all(type(app["name"]) is str for app in ours)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_row_checkbox_is_djangos_element(alice, claire, language):
    invoice = _invoice(alice, claire)
    model_admin = admin.site._registry[type(invoice)]
    with translation.override(language):
        ours = model_admin.action_checkbox(invoice)
        djangos = admin.ModelAdmin.action_checkbox(model_admin, invoice)
    assert parse_html(ours) == parse_html(djangos)
    assert f'value="{invoice.pk}"' in ours


def test_list_page_selects_rows_with_the_checkbox(admin_client, alice, claire):
    invoice = _invoice(alice, claire)
    response = admin_client.get(reverse("admin:invoicing_invoice_changelist"))
    assert response.status_code == 200
    assert (
        f'<input type="checkbox" name="_selected_action" value="{invoice.pk}" '
        f'class="action-select"' in response.content.decode()
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
@pytest.mark.parametrize(
    ("model", "columns"),
    [(Member, ["first_name", "last_name", "organisation_name"]), (Client, ["name"])],
)
def test_name_searches_have_trigram_indexes(model, columns):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
            [model._meta.db_table, "%_trgm"],
        )
        found = dict(cursor.fetchall())
    table = model._meta.db_table
    assert sorted(found) == sorted(f"{table}_{column}_trgm" for column in columns)
    for column in columns:
        definition = found[f"{table}_{column}_trgm"]
        assert "gin" in definition and "gin_trgm_ops" in definition
        assert f"upper(({column})::text)" in definition


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_member_search_uses_the_trigram_index():
    # The planner's choice on the same expression Django writes for icontains, with the
    # sequential scan ruled out: the index can answer it.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Member.objects.filter(last_name__icontains="lambert").values("pk").explain()
    assert "members_member_last_name_trgm" in plan


def _filtered_changelist(admin_user, model, query):
    model_admin = admin.site._registry[model]
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    request = RequestFactory().get(url, query)
    request.user = admin_user
    request.resolver_match = resolve(url)  # Django keeps the filters of its own list only
    return model_admin, model_admin.get_changelist_instance(request)


@pytest.mark.parametrize("query", [{}, {"category__exact": "A"}, {"q": "a b&c", "o": "2"}])
def test_row_links_are_djangos_links(admin_user, alice, bob, query):
    model_admin, changelist = _filtered_changelist(admin_user, Member, query)
    assert isinstance(changelist, RowLinksChangeList)
    context = {"preserved_filters": changelist.preserved_filters, "opts": changelist.opts}
    djangos_context = {"preserved_filters": changelist.row_query, "opts": changelist.opts}
    members = list(Member.objects.filter(pk__in=[alice.member.pk, bob.member.pk]))
    for member in members:
        # What Django's items_for_result writes: its own URL, then add_preserved_filters with
        # the list's filters (which resolves the URL); ours appends them once per page.
        djangos = add_preserved_filters(
            djangos_context, ChangeList.url_for_result(changelist, member)
        )
        assert add_preserved_filters(context, changelist.url_for_result(member)) == djangos
        assert f"/{member.pk}/change/" in djangos
    if query:
        assert "_changelist_filters=" in changelist.url_for_result(members[0])


def test_filtered_list_page_links_rows_with_their_filters(admin_client, alice):
    url = reverse("admin:members_member_changelist")
    response = admin_client.get(url, {"category__exact": alice.member.category})
    assert response.status_code == 200
    change = reverse("admin:members_member_change", args=[alice.member.pk])
    filters = f"_changelist_filters=category__exact%3D{alice.member.category}"
    assert f'href="{change}?{filters}"' in response.content.decode()


def test_admins_with_their_own_change_list_keep_it():
    from invoicing.admin_invoice_lists import InvoiceChangeList  # test-local

    invoice_admin = admin.site._registry[Invoice]
    assert invoice_admin.get_changelist(RequestFactory().get("/")) is InvoiceChangeList
    assert issubclass(InvoiceChangeList, RowLinksChangeList)


def test_staff_filters_offer_staff_accounts_only_by_email(admin_user, alice, claire, denis):
    choices = staff_choices()
    pks = [pk for pk, _name in choices]
    staff = User.objects.filter(is_staff=True).order_by("email")
    assert pks == [user.pk for user in staff]
    assert claire.pk in pks and alice.pk not in pks
    assert dict(choices)[claire.pk] == str(claire)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's choice")
def test_staff_accounts_are_read_by_their_partial_index():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = User.objects.filter(is_staff=True).order_by("email").values("pk").explain()
    assert "user_staff_by_email" in plan
