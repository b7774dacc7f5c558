"""Issue 14, point 1: the office rule in the whole back-office, walked automatically.

A world where every registered model has rows, all of them of the Bruxelles office (alice's
units, clients, invoices, work, pay, shares…) or of Namur (denis's shares), then lea, an
advisor of the Liège office (which has no member), opens every registered ModelAdmin: its
changelist (and each of its list filters set to every foreign id), the change, history and
delete pages of its rows, every custom admin URL, every autocomplete, and the index with its
queue. She sees 0 foreign rows, gets 403/404 (or the admin's "doesn't exist" redirect) on
every object, and no foreign name appears anywhere. Claire (Bruxelles) opens the same rows.

The walk covers every admin registered now and later: a new admin that does not declare
how its rows reach an office fails `test_every_admin_declares_how_its_rows_reach_an_office`,
and a new model without rows in the world fails `test_the_world_has_rows_of_every_model`.
"""

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import URLPattern, reverse
from django.utils import timezone

from core import roles
from core.admin import OfficeScopedAdminMixin
from core.admin_kit import advisor_queue
from core.models import HealthPing
from core.scoping import COOPERATIVE_WIDE, SPANS_OFFICES, UNDECLARED
from devtools import demo
from invoicing.models import Client, Invoice, InvoiceBranding, Purchase, Transmission
from invoicing.payment_services import payment_record
from invoicing.quote_services import quote_create
from members.certificate_services import certificate_request
from members.exit_services import member_exit_request
from members.models import Member, Office, User
from members.token_services import api_token_create
from members.transfer_services import share_transfer_request
from payroll.contributions.services import contributions_compute
from payroll.models import Worker
from payroll.pay.payouts import next_banking_day, payout_batch_prepare
from payroll.pay.payroll_run import payroll_run_compute
from production_units.models import ProductionUnit
from reports.models import ReportDocument
from reports.text_services import report_text_write
from tests.invoicing_helpers import line
from tests.members.test_membership_admin import submit
from tests.pay_helpers import PERIOD, TODAY, october
from tests.payouts_helpers import make_refund
from tests.workers_helpers import invite_zoe

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
# Names and numbers of Bruxelles and Namur members, units, clients and workers: none may
# appear on a page lea opens (staff names may: staff accounts are every office's).
SECRETS = (
    "Lambert",
    "Bertrand",
    "Théâtre de la Place",
    "Ecole des Arts Gent",
    "UP-0001",  # (not UP-0002: the purchase import page gives it as an example)
    "Chloé",
    "Zoé",
    "Eva",
    "BE71096123456769",
    "BE71 0961 2345 6769",
    "BE68539007547034",
    "BE68 5390 0754 7034",
)
STANDARD_VIEWS = {"changelist", "add", "history", "delete", "change"}
# How to fill a custom admin URL's arguments other than the object's id.
URL_ARGUMENTS = {"kind": ("pdf", "ubl"), "field": ("national_number", "iban", "payer_iban")}


def _with_mfa(user):
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    return user


def _http(user) -> HttpClient:
    http = HttpClient()
    http.force_login(_with_mfa(user))
    return http


@pytest.fixture
def world(alice, bob, claire, denis, admin_user, settings, tmp_path):
    """Rows of every registered model, all of the Bruxelles office (or Namur: denis)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    demo.ensure_demo_invoices()
    from members.demo_shares import ensure_demo_shares
    from payroll.demo import ensure_demo_work

    ensure_demo_shares(by=admin_user)
    ensure_demo_work(alice=alice, claire=claire)
    three = ProductionUnit.objects.get(code="UP-0001")
    activity = ProductionUnit.objects.get(code="UP-0002")
    theatre = Client.objects.get(name="Théâtre de la Place")
    invoice = Invoice.objects.filter(unit=three, kind=Invoice.Kind.INVOICE).first()
    payment_record(invoice=invoice, amount=Decimal("10.00"), received_on=TODAY, by=claire)
    # Issuing wrote its e-mail transmission (the outbox): one that failed, for the queue.
    Transmission.objects.update_or_create(
        invoice=invoice,
        channel=Transmission.Channel.EMAIL,
        defaults={"status": Transmission.Status.FAILED},
    )
    quote_create(by=alice, unit=three, client=theatre, lines=[line()])
    InvoiceBranding.objects.get_or_create(unit=three)
    from invoicing.funding import funding_agreement_record
    from invoicing.models import BankStatement

    funding_agreement_record(
        unit=activity, funder="COCOF", amount="300.00", received_on=date(2026, 11, 2), by=claire
    )

    BankStatement.objects.create(identifier="2026-1", account_iban="BE1", file_sha256="0" * 64)
    Purchase.objects.create(
        status=Purchase.Status.POSTED,
        unit=activity,
        supplier_name="Traiteur",
        supplier_invoice_number="T-1",
        issue_date=date(2026, 2, 1),
        net_total=Decimal("10.00"),
        vat_total=Decimal("2.10"),
        total=Decimal("12.10"),
        ubl="purchases/t-1.xml",
        file_sha256="1" * 64,
    )
    # Pay: october's work, its payroll run, contributions, a payout batch.
    october(alice)
    payroll_run_compute(period=PERIOD, today=TODAY)
    contributions_compute(period=PERIOD, today=TODAY)
    make_refund(bob)
    today = timezone.localdate()
    payout_batch_prepare(
        due_by=today + timedelta(days=60), execution_date=next_banking_day(today), by=admin_user
    )
    invite_zoe(activity, by=alice)
    submit("eva@apply.test", 71)
    member_exit_request(member=bob.member, by=bob)
    certificate_request(member=alice.member, by=alice, as_of=date(2025, 12, 31))
    share_transfer_request(
        from_member=alice.member, to_member_number=bob.member.number, shares=1, by=alice
    )
    HealthPing.objects.get_or_create(token="scoping-ping")
    report_text_write(year=2025, section="reserves", text="Aux réserves.", by=denis)
    ReportDocument.objects.create(kind="activity", year=2025, language="fr", requested_by=denis)
    _governance_rows(denis)
    from devtools.demo_board import ensure_board_demo

    ensure_board_demo()
    from governance.models import Candidacy

    Candidacy.objects.create(member=denis.member, statement="Pour un second mandat", year=2027)
    api_token_create(user=alice, name="walk", via="api")
    _with_mfa(claire)
    lea = demo._user(
        "lea@smartcoop.test",
        "Léa",
        "Liégeoise",
        staff=True,
        role=roles.ADVISOR,
        office=Office.objects.get(code="liege"),
    )
    return {"lea": lea, "claire": claire}


def _governance_rows(denis):
    """An assembly open for voting with a proxy (bob → denis) and bob's participation."""
    from governance.services.assemblies import agenda_item_add, assembly_create
    from governance.services.proxies import proxy_give
    from governance.services.roll import assembly_convene
    from governance.services.voting import ballot_cast

    now, today = timezone.now(), timezone.localdate()
    assembly = assembly_create(
        kind="ordinary",
        title="AG walk",
        date=today + timedelta(days=2),
        notice_date=today - timedelta(days=20),
        record_date=today - timedelta(days=3),
        voting_opens_at=now - timedelta(hours=1),
        voting_closes_at=now + timedelta(days=2),
        by=denis,
    )
    item = agenda_item_add(assembly=assembly, title="Comptes", kind="ordinary", by=denis)
    assembly = assembly_convene(assembly=assembly, by=denis).assembly
    bob = Member.objects.get(user__email="bob@smartcoop.test")
    proxy_give(assembly=assembly, giver=bob, holder=denis.member)
    alice = Member.objects.get(user__email="alice@smartcoop.test")
    ballot_cast(assembly=assembly, voter=alice, choices={"items": {str(item.pk): "for"}})


def _declared(model_admin):
    return getattr(model_admin, "office_path", UNDECLARED)


def _scoped(model_admin) -> bool:
    """Are the rows of this admin an office's (so none is lea's in the world)?"""
    return _declared(model_admin) is not COOPERATIVE_WIDE


def _shared_rows(model_admin):
    """The rows every advisor sees whatever their office (the cooperative's queues)."""
    shared = getattr(model_admin, "office_shared", None)
    model = model_admin.model
    return model._default_manager.filter(shared) if shared is not None else model.objects.none()


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _secrets_in(response) -> list[str]:
    # Random tokens (the CSP nonce, the CSRF token) can spell "Eva" by chance: left out.
    body = re.sub(r'nonce="[^"]*"', 'nonce=""', _body(response))
    body = re.sub(r"[A-Za-z0-9+/=_-]{20,}", "", body)
    return [secret for secret in SECRETS if secret in body]


def _refused(response) -> bool:
    """403, 404, or the admin's redirect of an object it does not find."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"] in (
        reverse("admin:index"),
        reverse("admin:login") + "?next=" + response.wsgi_request.path,
    )


def _foreign_pks(model_admin) -> list:
    model = model_admin.model
    shared = _shared_rows(model_admin).values("pk")
    return list(model._default_manager.exclude(pk__in=shared).values_list("pk", flat=True)[:3])


def _filter_parameters(model_admin, user) -> list[str]:
    """The query parameters of the admin's list filters that take a related object's id
    (Django hides a filter that has nothing to offer: read them from the declarations)."""
    request = RequestFactory().get("/")
    request.user = user
    parameters = []
    for item in model_admin.get_list_filter(request):
        if isinstance(item, type) and issubclass(item, SimpleListFilter):
            parameters.append(item.parameter_name)
            continue
        path = item[0] if isinstance(item, tuple) else item
        field = get_fields_from_path(model_admin.model, path)[-1]
        if field.is_relation:
            parameters.append(f"{path}__{field.target_field.name}__exact")
    return parameters


def _named_pks() -> set[int]:
    """The ids of the foreign rows whose names are secrets: values for the list filters."""
    pks = set()
    for model in (Member, ProductionUnit, Client, Worker, User, Invoice):
        pks |= set(model.objects.values_list("pk", flat=True))
    return pks


# The declarations ----------------------------------------------------------------------------


def test_every_admin_declares_how_its_rows_reach_an_office():
    undeclared = []
    for model, model_admin in REGISTERED:
        if model._meta.app_label in roles.PROJECT_APPS:
            if not isinstance(model_admin, OfficeScopedAdminMixin) or (
                _declared(model_admin) is UNDECLARED
            ):
                undeclared.append(model._meta.label)
        else:
            # Third-party admins (groups, e-mail addresses, authenticators, tokens): no role
            # gets their permissions, only superusers open them.
            given = Permission.objects.filter(
                content_type__app_label=model._meta.app_label, group__isnull=False
            )
            assert not given.exists(), model._meta.label
    assert undeclared == [], "\n".join(undeclared)


def test_the_world_has_rows_of_every_model(world):
    empty = [model._meta.label for model, _ in REGISTERED if not model._default_manager.exists()]
    assert empty == []


# The walk ------------------------------------------------------------------------------------


def test_lea_sees_no_foreign_row_on_any_changelist_nor_its_filters(world):
    lea = _http(world["lea"])
    named = sorted(_named_pks())
    leaks = []
    walked = 0
    for model, model_admin in REGISTERED:
        response = lea.get(_url(model, "changelist"))
        walked += 1
        if response.status_code == 403:
            continue
        assert response.status_code == 200, (model._meta.label, response.status_code)
        if not _scoped(model_admin):
            continue
        changelist = response.context["cl"]
        shown = changelist.queryset.exclude(pk__in=_shared_rows(model_admin).values("pk"))
        if shown.exists():
            leaks.append(f"{model._meta.label}: {shown.count()} foreign rows listed")
        if found := _secrets_in(response):
            leaks.append(f"{model._meta.label} list shows {found}")
        for parameter in _filter_parameters(model_admin, world["lea"]):
            for pk in named:
                filtered = lea.get(_url(model, "changelist"), {parameter: pk})
                walked += 1
                if found := _secrets_in(filtered):
                    leaks.append(f"{model._meta.label} ?{parameter}={pk} shows {found}")
                    break
    print(f"changelists and filtered changelists walked: {walked}")
    assert walked > len(REGISTERED)
    assert leaks == [], "\n".join(leaks)


def test_lea_cannot_open_any_foreign_row(world):
    lea = _http(world["lea"])
    leaks = []
    opened = []
    for model, model_admin in REGISTERED:
        if not _scoped(model_admin):
            continue
        for pk in _foreign_pks(model_admin):
            for view in ("change", "history", "delete"):
                response = lea.get(_url(model, view, pk))
                opened.append((model, view, pk))
                if not _refused(response):
                    leaks.append(f"{model._meta.label} {view} {pk}: {response.status_code}")
                elif found := _secrets_in(response):
                    leaks.append(f"{model._meta.label} {view} {pk} shows {found}")
    admins = {model for model, _view, _pk in opened}
    print(f"objects' pages opened: {len(opened)} on {len(admins)} admins")
    assert len(admins) == sum(1 for _model, model_admin in REGISTERED if _scoped(model_admin))
    assert leaks == [], "\n".join(leaks)


def _custom_urls():
    """(model admin, URL pattern) of every URL an admin adds to Django's own."""
    for _model, model_admin in REGISTERED:
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            if pattern.name.rsplit("_", 1)[-1] in STANDARD_VIEWS:
                continue
            yield model_admin, pattern


def _arguments(model_admin, pattern) -> list[dict]:
    """Each way to fill the pattern's arguments with a foreign object (and URL_ARGUMENTS)."""
    names = list(pattern.pattern.converters)
    rows = [{}]
    for name in names:
        if name in ("object_id", "pk"):
            values = _foreign_pks(model_admin)
        elif name.endswith("_id"):
            related = model_admin.model._meta.get_field(name[: -len("_id")]).related_model
            values = list(related._default_manager.values_list("pk", flat=True)[:3])
        elif name == "decision":  # core.admin_decisions: each decision the admin offers
            values = [decision.name for decision in model_admin.decisions]
        else:
            assert name in URL_ARGUMENTS, f"how to fill {name} of {pattern.name}?"
            values = URL_ARGUMENTS[name]
        assert values, f"no value for {name} of {pattern.name}"
        rows = [{**row, name: value} for row in rows for value in values]
    return rows


def test_lea_gets_nothing_foreign_from_any_custom_admin_url(world):
    lea = _http(world["lea"])
    leaks = []
    called = []
    for model_admin, pattern in _custom_urls():
        for kwargs in _arguments(model_admin, pattern):
            url = reverse(f"admin:{pattern.name}", kwargs=kwargs)
            response = lea.get(url, {"term": "UP", "q": "a"})
            called.append(url)
            # A cooperative-wide object (an assembly) is every office's: no secret shown is
            # enough; an office's object must be refused.
            if kwargs and _scoped(model_admin) and not _refused(response):
                leaks.append(f"{pattern.name} {kwargs}: {response.status_code}")
            elif found := _secrets_in(response):
                leaks.append(f"{pattern.name} {kwargs} shows {found}")
    print(f"custom admin URLs called: {len(called)}")
    assert len({url.split("?")[0] for url in called}) >= len(list(_custom_urls()))
    assert leaks == [], "\n".join(leaks)


def test_lea_finds_no_foreign_object_through_any_autocomplete(world):
    lea = _http(world["lea"])
    leaks = []
    for model, model_admin in REGISTERED:
        for field_name in model_admin.autocomplete_fields:
            field = model._meta.get_field(field_name)
            response = lea.get(
                reverse("admin:autocomplete"),
                {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field_name,
                    "term": "",
                },
            )
            if response.status_code != 200:
                continue
            target = admin.site._registry[field.related_model]
            if not _scoped(target):
                continue
            shared = {str(pk) for pk in _shared_rows(target).values_list("pk", flat=True)}
            ids = {str(row["id"]) for row in json.loads(response.content)["results"]}
            if ids - shared:
                leaks.append(f"{model._meta.label}.{field_name}: {sorted(ids - shared)}")
    assert leaks == [], "\n".join(leaks)


def test_leas_index_and_queue_count_nothing_of_other_offices(world):
    response = _http(world["lea"]).get(reverse("admin:index"))
    assert response.status_code == 200
    assert _secrets_in(response) == []
    request = RequestFactory().get("/admin/")
    request.user = world["lea"]
    assert {item.label: item.count for item in advisor_queue(request) if item.count} == {}


def test_claire_opens_the_rows_of_her_office_on_every_office_admin(world):
    claire = _http(world["claire"])
    missing = []
    for model, model_admin in REGISTERED:
        path = _declared(model_admin)
        if path in (COOPERATIVE_WIDE, SPANS_OFFICES, UNDECLARED):
            continue
        if model._meta.app_label not in roles.PROJECT_APPS:
            continue
        response = claire.get(_url(model, "changelist"))
        if response.status_code != 200 or not response.context["cl"].result_count:
            missing.append(f"{model._meta.label} list: {response.status_code}")
            continue
        pk = response.context["cl"].result_list[0].pk
        if claire.get(_url(model, "change", pk)).status_code != 200:
            missing.append(f"{model._meta.label} change {pk}")
    assert missing == []


def test_the_walk_covers_every_admin_and_custom_url():
    """The figure of the issue's closing note: ModelAdmins, changelists, change views and
    custom URLs walked (each change view is also opened as history and delete)."""
    custom = list(_custom_urls())
    with_object = [pattern for _admin, pattern in custom if pattern.pattern.converters]
    figures = {
        "model admins": len(REGISTERED),
        "changelists": len(REGISTERED),
        "custom URLs": len(custom),
        "custom URLs with an object": len(with_object),
    }
    print(figures)
    assert figures["model admins"] == len(admin.site._registry)
