"""The member portal in a real phone-sized browser (Debian's Chromium driven by Playwright).

"Pages work on a phone": every main portal page answers 200 at 390 px wide without sideways
scrolling, without a JavaScript or console error, with the main menu on screen; the live totals
of the invoice form and the live split of the job form show what the server computes.

Needs Debian's browser and the Python driver (never `playwright install`, which downloads a
browser of its own):  apt-get install chromium  and  pip install -e '.[dev]'.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.models import Client
from payroll.parameters import contract_parameters, rate_on, withholding_table
from payroll.split import job_split
from payroll.workers.worker_services import unit_holder_worker
from tests.invoicing_helpers import line
from tests.work_helpers import FRI, make_declaration, make_job, theatre

CHROMIUM = os.environ.get("SMARTCOOP_CHROMIUM", "/usr/bin/chromium")
INSTALL = (
    "install Debian's browser (apt-get install chromium) and the dev extra "
    "(.venv/bin/pip install -e '.[dev]'); never `playwright install`"
)

sync_api = pytest.importorskip("playwright.sync_api", reason=f"playwright missing: {INSTALL}")

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing: {INSTALL}"),
    # The live server answers from another thread, so the data is committed; serialized_rollback
    # puts the migrations' reference data back after the flush, for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# An iPhone 12-15 sized screen.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    # A Belgian member's phone: the portal answers in French.
    "locale": "fr-BE",
}
CENT = Decimal("0.01")
# Waits for something the page must show (never a fixed sleep): generous for a busy CI machine.
TIMEOUT_MS = 15_000
# A folder to keep a full-page PNG of each page in, for a person to look at what assertions
# miss (unreadable text, a button off screen): SMARTCOOP_PHONE_SCREENSHOTS=/tmp pytest ...
SCREENSHOTS = os.environ.get("SMARTCOOP_PHONE_SCREENSHOTS", "")


@pytest.fixture(scope="module")
def live_server():
    """pytest-django's live server, for this module and started after the test settings: the
    server builds its middleware once, and production's HTTPS redirect and Secure cookies
    would send a browser on plain HTTP to https:// (settings changed later come too late)."""
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        server = LiveServer("localhost")
        try:
            yield server
        finally:
            server.stop()


class Browser:
    """Chromium, driven from a thread of its own.

    Playwright's synchronous API marks an event loop as running in the thread that uses it;
    Django then keeps that thread's database connection apart from the one the test database
    was set up with (asgiref's thread-critical local), and the flush/restore of the reference
    data between transactional tests stops working. So every Playwright call runs in one
    worker thread: `run(function, ...)` there, the test's database work stays here."""

    def __init__(self):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._playwright = self.run(lambda: sync_api.sync_playwright().start())
        self.chromium = self.run(
            self._playwright.chromium.launch,
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )

    def run(self, function, *args, **kwargs):
        return self._thread.submit(function, *args, **kwargs).result()

    def close(self):
        try:
            self.run(self.chromium.close)
        finally:
            self.run(self._playwright.stop)
            self._thread.shutdown()


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module (one per pytest-xdist worker)."""
    chromium = Browser()
    yield chromium
    chromium.close()


# Run in the page: how wide the page is against the screen, and what sticks out (to say what
# to fix); elements inside a sideways-scrolling box don't count. On a phone (is_mobile) a page
# too wide is zoomed out and window.innerWidth grows with it: the layout viewport's width
# (documentElement.clientWidth, the device's width with width=device-width) is the screen.
OVERFLOW_JS = """() => {
  const width = Math.min(window.innerWidth, document.documentElement.clientWidth);
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && !scrolls(el)) {
      const cls = typeof el.className === "string" && el.className.trim()
        ? "." + el.className.trim().split(/\\s+/).join(".") : "";
      out.push(`${el.tagName.toLowerCase()}${cls} right=${Math.round(box.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, screen: width,
          culprits: out.slice(0, 8)};
}"""

# Run in the page: the "Menu" button opens the folded menu, and then each link of the main menu
# is on screen (inside the width, shown, not covered); the menu is folded again after.
MENU_JS = """() => {
  const links = document.querySelectorAll("nav.main-nav a");
  if (!links.length) return ["no main menu"];
  const problems = [];
  const toggle = document.querySelector(".menu-toggle");
  const folds = toggle && !toggle.hidden && getComputedStyle(toggle).display !== "none";
  if (folds) {
    if (links[0].getBoundingClientRect().height) problems.push("shown before Menu is pressed");
    toggle.click();
    if (toggle.getAttribute("aria-expanded") !== "true") problems.push("Menu does not open it");
  }
  for (const link of links) {
    link.scrollIntoView({block: "center", inline: "nearest"});
    const box = link.getBoundingClientRect();
    const name = link.getAttribute("href");
    if (!box.width || !box.height) { problems.push(`${name}: not shown`); continue; }
    if (box.left < 0 || box.right > document.documentElement.clientWidth + 1) {
      problems.push(`${name}: off screen (${Math.round(box.left)}..${Math.round(box.right)})`);
      continue;
    }
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (!hit || !(hit === link || link.contains(hit))) problems.push(`${name}: covered`);
  }
  if (folds) toggle.click();
  window.scrollTo(0, 0);
  return problems;
}"""


class Phone:
    """A logged-in phone: one browser context and page, and the errors the page printed.

    `do(steps)` runs `steps(page)` in the browser's thread (see Browser)."""

    def __init__(self, browser, base_url, session_key):
        self.browser = browser
        self.base_url = base_url
        self.errors: list[str] = []
        self.page = browser.run(self._open_context, session_key)

    def _open_context(self, session_key):
        self.context = self.browser.chromium.new_context(base_url=self.base_url, **PHONE)
        self.context.set_default_timeout(TIMEOUT_MS)
        cookie = {"name": django_settings.SESSION_COOKIE_NAME, "value": session_key}
        self.context.add_cookies([{**cookie, "url": self.base_url}])
        page = self.context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"JavaScript: {error}"))
        return page

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def do(self, steps):
        return self.browser.run(steps, self.page)

    def open(self, path) -> int | None:
        """Go to `path` and let the page settle; the HTTP status."""

        def steps(page):
            self.errors.clear()
            response = page.goto(self.base_url + path, wait_until="load")
            if page.locator("form[data-document-form], form[data-job-form]").count():
                # The forms may fetch their live figures once loaded: let that finish too.
                page.wait_for_load_state("networkidle")
            return response.status if response else None

        return self.do(steps)

    def overflow(self) -> dict:
        return self.do(lambda page: page.evaluate(OVERFLOW_JS))

    def menu_problems(self) -> list[str]:
        return self.do(lambda page: page.evaluate(MENU_JS))

    def screenshot(self, path):
        self.do(lambda page: page.screenshot(path=str(path), full_page=True))

    def close(self):
        self.browser.run(self.context.close)


def _too_wide(width: dict) -> bool:
    """Wider than the phone's screen: the member would have to scroll sideways."""
    screen = min(width["screen"], PHONE["viewport"]["width"])
    return width["scrollWidth"] > screen + 1


def _session_key(user) -> str:
    client = HttpClient()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def portal(alice, alice_3en1, alice_activity, claire, live_server):
    """Alice with her units, a client, a draft and an issued invoice, a job and a declaration."""
    client = Client.objects.get(name="Théâtre de la Place")
    draft = invoice_create(
        by=alice, unit=alice_3en1, client=client, lines=[line("Répétition", "3", "80.00")]
    )
    issued = invoice_issue(
        invoice=invoice_create(
            by=alice,
            unit=alice_3en1,
            client=client,
            lines=[
                line("Concert au théâtre de la Place, soirée d'ouverture", "2", "250.00"),
                line("Déplacement", "84", "0.42", unit_code="KMT"),
                # One long word (a link): it must wrap, not widen the page.
                line("https://theatre-de-la-place.example/saison-2026-2027/concert-d-ouverture"),
            ],
            buyer_reference="PO-77",
        ),
        by=claire,
    )
    unit_holder_worker(alice_3en1)
    job = make_job(alice, alice_3en1)
    declaration = make_declaration(alice, alice_activity)
    assembly, election = _open_assembly(claire)
    return {
        "assembly": assembly,
        "election": election,
        "alice": alice,
        "three": alice_3en1,
        "activity": alice_activity,
        "client": client,
        "draft": draft,
        "invoice": issued,
        "job": job,
        "declaration": declaration,
    }


def _open_assembly(claire):
    """An assembly open for voting, with an election of two candidates (long names wrap)."""
    from datetime import timedelta

    from django.utils import timezone

    from devtools import demo
    from governance.services.assemblies import agenda_item_add, assembly_create, candidate_add
    from governance.services.roll import assembly_convene
    from members.demo_shares import ensure_demo_shares

    admin, denis = demo.ensure_admin(), demo.ensure_denis()
    ensure_demo_shares(by=admin)
    now, today = timezone.now(), timezone.localdate()
    assembly = assembly_create(
        kind="ordinary",
        title="Assemblée générale ordinaire 2026",
        date=today + timedelta(days=3),
        notice_date=today - timedelta(days=20),
        record_date=today - timedelta(days=10),
        voting_opens_at=now - timedelta(hours=1),
        voting_closes_at=now + timedelta(days=3),
        by=denis,
    )
    agenda_item_add(
        assembly=assembly, title="Approbation des comptes annuels 2025", kind="ordinary", by=denis
    )
    election = agenda_item_add(
        assembly=assembly,
        title="Élection des administrateur·rices",
        kind="election",
        seats=1,
        by=denis,
    )
    candidate_add(item=election, member=denis.member, by=denis)
    candidate_add(item=election, member=demo.ensure_bob().member, by=denis)
    return assembly_convene(assembly=assembly, by=denis).assembly, election


@pytest.fixture
def phone(browser, live_server, portal):
    device = Phone(browser, live_server.url, _session_key(portal["alice"]))
    yield device
    device.close()


def _pages(portal) -> list[tuple[str, str]]:
    three, activity = portal["three"].pk, portal["activity"].pk
    return [
        ("home", reverse("portal:home")),
        ("unit ledger", reverse("portal:unit_detail", args=[three])),
        ("invoice list", reverse("portal:invoice_list")),
        ("invoice detail", reverse("portal:invoice_detail", args=[portal["invoice"].pk])),
        ("draft invoice", reverse("portal:invoice_detail", args=[portal["draft"].pk])),
        ("new invoice", reverse("portal:invoice_create")),
        ("quote list", reverse("portal:quote_list")),
        ("clients", reverse("portal:client_list")),
        ("client", reverse("portal:client_detail", args=[portal["client"].pk])),
        ("jobs", reverse("portal:work_job_list")),
        ("job", reverse("portal:work_job_detail", args=[portal["job"].pk])),
        ("new job (3en1)", reverse("portal:work_job_create")),
        ("declarations", reverse("portal:work_declaration_list")),
        ("declaration", reverse("portal:work_declaration_detail", args=[portal["declaration"].pk])),
        ("new declaration", reverse("portal:work_declaration_create")),
        ("my calendar", reverse("portal:workers_calendar") + f"?month={FRI:%Y-%m}"),
        ("unit calendar", reverse("portal:workers_unit_calendar", args=[activity])),
        ("unit workers", reverse("portal:workers_unit", args=[three])),
        ("my accounts", reverse("portal:accounting")),
        ("unit accounts", reverse("portal:accounting_unit", args=[activity])),
        ("expenses", reverse("portal:expense_list")),
        ("new expense claim", reverse("portal:expense_create")),
        ("payslips", reverse("portal:pay_payslip_list")),
        ("shares", reverse("portal:membership_shares")),
        ("assemblies", reverse("portal:assembly_list")),
        ("assembly", reverse("portal:assembly_detail", args=[portal["assembly"].pk])),
        ("ballot", reverse("portal:assembly_vote", args=[portal["assembly"].pk])),
    ]


def test_every_main_portal_page_works_on_a_phone(phone, portal):
    problems = []
    for name, path in _pages(portal):
        where = f"{name} ({path})"
        status = phone.open(path)
        if status != 200:
            problems.append(f"{where}: HTTP {status}")
            continue
        width = phone.overflow()
        if _too_wide(width):
            problems.append(
                f"{where}: {width['scrollWidth']} px wide on a {width['screen']} px screen; "
                f"sticking out: {', '.join(width['culprits']) or '?'}"
            )
        problems += [f"{where}: {error}" for error in phone.errors]
        problems += [f"{where}: menu {problem}" for problem in phone.menu_problems()]
        if SCREENSHOTS:
            phone.screenshot(
                Path(SCREENSHOTS) / f"phone-{name.split(' (')[0].replace(' ', '-')}.png"
            )
    assert problems == [], "\n".join(problems)


def test_the_main_menu_takes_a_thumb_to_another_page(phone):
    invoices = reverse("portal:invoice_list")
    phone.open(reverse("portal:home"))

    def tap_invoices(page):
        page.locator(".menu-toggle").tap()
        page.locator(f'nav.main-nav a[href="{invoices}"]').tap()
        page.wait_for_url(f"**{invoices}")
        return page.locator("nav.main-nav a[aria-current=page]").get_attribute("href")

    assert phone.do(tap_invoices) == invoices
    assert phone.errors == []


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _unexpected(errors: list[str], live_url: str) -> list[str]:
    """The errors, less the live figures' 400 answers while a form is half typed (the server
    refuses incomplete input with a 400 and a message, which the browser logs)."""
    refused = "Failed to load resource: the server responded with a status of 400"
    return [error for error in errors if not (refused in error and live_url in error)]


def test_typing_a_line_on_the_invoice_form_shows_its_totals(phone, portal):
    quantity = Decimal("3.5")
    expected = {}
    for unit_price in (Decimal("123.45"), Decimal("100")):
        net = _money(quantity * unit_price)  # 432.075 -> 432.08 (half up)
        vat = _money(net * Decimal("0.21"))
        expected[unit_price] = (net, vat, net + vat)
    unit, client = str(portal["three"].pk), str(portal["client"].pk)
    phone.open(reverse("portal:invoice_create"))

    def type_a_line(page, unit_price):
        page.locator("input[name=lines-0-unit_price]").fill("")
        page.locator("input[name=lines-0-unit_price]").press_sequentially(str(unit_price))
        totals = page.locator("[data-live-totals]")
        net, vat, total = expected[unit_price]
        sync_api.expect(totals.locator("[data-total]")).to_have_attribute("data-total", str(total))
        grand = totals.locator("dd[data-total]")
        return {
            "net": totals.locator("[data-net-total]").get_attribute("data-net-total"),
            "vat": totals.locator("[data-vat-total]").get_attribute("data-vat-total"),
            "line": totals.locator("[data-line-amount]").get_attribute("data-line-amount"),
            "shown": grand.inner_text() if grand.is_visible() else None,
        }

    def fill_the_form(page):
        page.select_option("select[name=unit]", unit)
        page.select_option("select[name=client]", client)
        page.fill("input[name=lines-0-description]", "Concert")
        page.select_option("select[name=lines-0-vat]", "S:21.00")
        page.locator("input[name=lines-0-quantity]").fill("")
        page.locator("input[name=lines-0-quantity]").press_sequentially("3.5")

    phone.do(fill_the_form)
    for unit_price, (net, vat, total) in expected.items():
        shown = phone.do(lambda page, price=unit_price: type_a_line(page, price))
        assert (shown["net"], shown["vat"], shown["line"]) == (str(net), str(vat), str(net))
        # Shown to the member, on screen, in French (a decimal comma).
        assert shown["shown"] is not None
        assert str(total).replace(".", ",") in shown["shown"]
    width = phone.overflow()
    assert not _too_wide(width), width
    assert _unexpected(phone.errors, reverse("portal:lines_totals")) == []


def _expected_split(amount: Decimal, code: str, first_day: date) -> dict[str, str]:
    """payroll.split's pure function, with the parameters the server uses for that day."""
    return job_split(
        turnover=amount,
        expenses=Decimal("0.00"),
        parameters=contract_parameters(code, first_day),
        turnover_rate=rate_on(timezone.localdate()),
        withholding=withholding_table(first_day),
        days=1,
    ).amounts()


SPLIT_KEYS = (
    "turnover",
    "turnover_contribution",
    "employment_budget",
    "gross",
    "employer_charges",
    "employment_contribution",
    "residue",
    "net",
)


def test_typing_an_amount_on_the_job_form_shows_the_live_split(phone, portal):
    code = "artist-fixed-term"
    unit, client = str(portal["three"].pk), str(theatre().pk)
    expected = {typed: _expected_split(Decimal(typed), code, FRI) for typed in ("500.00", "732.50")}
    phone.open(reverse("portal:work_job_create"))

    def fill_the_job(page):
        page.select_option("select[name=unit]", unit)
        page.select_option("select[name=client]", client)
        page.fill("input[name=description]", "Concert au théâtre")
        page.select_option("select[name=contract_type]", code)
        page.fill("input[name=function]", "Musicienne")
        page.fill("input[name=lines-0-description]", "Concert")
        page.select_option("select[name=lines-0-vat]", "S:21.00")
        page.fill("input[name=lines-0-quantity]", "1")
        page.fill("input[name=days-0-date]", FRI.isoformat())
        page.fill("input[name=days-0-hours]", "8")

    def type_the_amount(page, typed):
        page.locator("input[name=lines-0-unit_price]").fill("")
        page.locator("input[name=lines-0-unit_price]").press_sequentially(typed)
        split = page.locator("[data-live-split]")
        sync_api.expect(split.locator('[data-split="turnover"]')).to_have_attribute(
            "data-amount", typed
        )
        shown = {
            key: split.locator(f'[data-split="{key}"]').get_attribute("data-amount")
            for key in SPLIT_KEYS
        }
        shown["net is on screen"] = split.locator('[data-split="net"]').is_visible()
        return shown

    phone.do(fill_the_job)
    for typed, split in expected.items():
        shown = phone.do(lambda page, typed=typed: type_the_amount(page, typed))
        assert shown == {key: split[key] for key in SPLIT_KEYS} | {"net is on screen": True}
    width = phone.overflow()
    assert not _too_wide(width), width
    assert _unexpected(phone.errors, reverse("portal:work_job_split")) == []
