"""Day one, walked in a real browser (issue 16): a member, an advisor and a board member of the
demo (`seed_demo`), in French, Dutch and English, on a phone (390 px) and a laptop (1366 px).

Each persona's pages are found by following the links of their menu and of the pages it leads
to (one page per kind of address), then every page is opened in each language and size and
checked for what a new user trips over:
- an answer other than 200, or a JavaScript/console error;
- a control cut or sticking out of the screen (sideways scrolling outside a scrolling box);
- a date written the American or the ISO way (Belgian formats in every language);
- on a Dutch or English page, a text left in French (a text of the French catalog that the
  page's language translates otherwise) or a raw code (`in_review`) instead of its label;
- an action the issue asks for that the persona cannot reach from the page that should offer it.

A full-page screenshot of every page is kept in $SMARTCOOP_WALK_SCREENSHOTS (.ci/run keeps them
in ci-artifacts/walk/), for a person to look at what assertions miss. Skipped without Chromium,
like the other browser tests, whose browser and live server it shares.
"""

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client as HttpClient
from django.utils import translation
from django.utils.translation import get_language_info, trans_real

from devtools.seed import seed_demo
from members.models import Office
from payroll.models import ContractType, ExpenseCategory
from payroll.models.parameters import CONTRACT_TYPE_LABELS, EXPENSE_CATEGORY_LABELS
from tests.conftest import _with_mfa
from tests.portal.test_phone_browser import (  # noqa: F401
    CHROMIUM,
    INSTALL,
    OVERFLOW_JS,
    TIMEOUT_MS,
    browser,
    live_server,
)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing: {INSTALL}"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = os.environ.get("SMARTCOOP_WALK_SCREENSHOTS", "")
LANGUAGES = ("fr", "nl", "en")
SIZES = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 1,
        "is_mobile": True,
        "has_touch": True,
    },
    "laptop": {"viewport": {"width": 1366, "height": 768}},
}
# Where each persona starts (their daily pages first), and which addresses are theirs to walk.
QUEUES = [
    "/admin/payroll/workdeclaration/",
    "/admin/payroll/expenseclaim/",
    "/admin/payroll/contract/",
    "/admin/members/membershipapplication/",
    "/admin/invoicing/invoice/",
    "/admin/payroll/job/",
]
PERSONAS = {
    "alice": (["/espace/"], ("/espace/",)),
    "claire": (["/admin/", *QUEUES, "/admin/members/member/"], ("/admin/",)),
    "denis": (
        ["/admin/reports/", "/admin/invoicing/invoice/receivables/", "/admin/"],
        ("/admin/",),
    ),
}
# What the issue asks each persona to reach, on the page that should offer it (by kind of
# address): a CSS selector that must match at least `count` elements there, in every language
# and size; and, for the board, a figure that must not be nought.
ACTIONS = {
    "alice": [
        ("/espace/", "#attention", 1, "the home lists what needs my attention"),
        ("/espace/", "a.notifications-link", 1, "the notifications are one tap away"),
        ("/espace/invoices/N/", "a[href$='/duplicate/']", 1, "an invoice can be duplicated"),
        ("/espace/invoices/", "a[href$='/invoices/new/']", 1, "a new invoice can be made"),
    ],
    "claire": [
        (
            "/admin/payroll/expenseclaim/N/change/",
            "#decision-buttons a, #decision-buttons button",
            2,
            "an expense claim is decided on its own page",
        ),
    ],
    "denis": [
        (
            "/admin/invoicing/invoice/receivables/",
            "#receivables-total td.amount",
            2,
            "the board sees the cooperative's receivables",
        ),
    ],
}
# At most this many kinds of page a persona (the walk stays a few minutes long in CI).
MAX_PAGES = 24
# Links the walk never follows: downloads, actions behind a confirmation, leaving the session,
# and the back-office's own tools (history, add forms of reference data, password changes).
SKIP = re.compile(
    r"(\.(csv|xlsx|pdf|ics|xml|json)$|/(pdf|ubl|file|receipt|logout|delete|submit|cancel|accept|"
    r"refuse|revoke|revoke-all|stop|discard|withdraw|duplicate|repeat|compute|vote|proxy|"
    r"password|history|autocomplete|jsi18n|i18n|r|export\.(csv|xlsx))/?|/accounts/|/api/|"
    r"/files/|/admin/(auth|allauth|account|mfa|socialaccount|django_celery|sites|authtoken)/|"
    r"/add/$)"
)

# In the page: every text of the page on its own (an element's own text, an option, a cell),
# outside of what is marked in another language (the language menu names each language in it).
TEXTS_JS = """() => {
  const out = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || ["SCRIPT", "STYLE", "NOSCRIPT", "TEXTAREA"].includes(parent.tagName)) continue;
    const marked = parent.closest("[lang]");
    if (marked && marked !== document.documentElement) continue;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (text) out.add(text);
  }
  return {texts: [...out], visible: document.body.innerText};
}"""

# In the page: the same-site links a person can follow (shown ones, in the main content or menus).
LINKS_JS = """() => [...document.querySelectorAll("a[href]")]
  .filter((a) => a.offsetParent !== null || a.closest("nav, details"))
  .map((a) => a.getAttribute("href"))"""

ISO_DATE = re.compile(r"\b(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")
US_DATE = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}\b"
    r"|\b(0?[1-9]|1[0-2])/(1[3-9]|2\d|3[01])/\d{4}\b"
)
# A code shown as it is stored: "in_review", "work_declaration.approved".
RAW_CODE = re.compile(r"^[a-z]+(_[a-z]+)*([._][a-z]+)+$")


def _kind(path: str) -> str:
    """One page per kind of address: /espace/invoices/12/ and /espace/invoices/13/ are one."""
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def _session_key(user) -> str:
    client = HttpClient()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _catalog(language: str) -> tuple[set[str], set[str]]:
    """(every translated text of the language, every msgid) of the project's catalogs."""
    catalog = trans_real.translation(language)._catalog
    texts, msgids = set(), set()
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgids.add(str(msgid).strip())
        texts.add(str(value).strip())
    return texts, msgids


def _project_msgids() -> set[str]:
    """Every one-line msgid of the project's catalogs, translated or not (an English text left
    as it is, a name such as "Activité" or "3en1" kept in every language)."""
    msgids = set()
    for po in Path(django_settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"):
        msgids |= set(re.findall(r'^msgid "(.+)"$', po.read_text(), flags=re.MULTILINE))
    return msgids


def _french_only(language: str) -> set[str]:
    """The French texts a page in `language` should never show: in the French catalog, and
    neither a text of the language's catalog nor a msgid. Short words are left out (a name, a
    unit code could match them by chance), and so are the languages' own names ("Français" in
    a menu of languages each written in itself)."""
    french, french_msgids = _catalog("fr")
    theirs, msgids = _catalog(language)
    own_names = {
        get_language_info(code)["name_local"].capitalize()
        for code, _name in django_settings.DOCUMENT_LANGUAGES
    }
    left = french - theirs - msgids - french_msgids - _project_msgids() - own_names
    return {text for text in left if (len(text) >= 5 and " " in text) or len(text) >= 8}


class Screen:
    """One browser context (a size, a language, a logged-in persona) and its page."""

    def __init__(self, browser, base_url, session_key, size, language):  # noqa: F811
        self.browser = browser
        self.base_url = base_url
        self.errors: list[str] = []
        self.page = browser.run(self._open, session_key, size, language)

    def _open(self, session_key, size, language):
        self.context = self.browser.chromium.new_context(
            base_url=self.base_url,
            locale={"fr": "fr-BE", "nl": "nl-BE", "en": "en-GB"}[language],
            **SIZES[size],
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session_key,
                    "url": self.base_url,
                },
                {
                    "name": django_settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "url": self.base_url,
                },
            ]
        )
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"JavaScript: {error}"))
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                and "/favicon.ico" not in m.location.get("url", "")
                and self.errors.append(f"console: {m.text}")
            ),
        )
        return page

    def open(self, path: str) -> int | None:
        def steps(page):
            self.errors.clear()
            response = page.goto(self.base_url + path, wait_until="load")
            return response.status if response else None

        return self.browser.run(steps, self.page)

    def evaluate(self, script: str):
        return self.browser.run(lambda page: page.evaluate(script), self.page)

    def screenshot(self, path: Path):
        self.browser.run(lambda page: page.screenshot(path=str(path), full_page=True), self.page)

    def close(self):
        self.browser.run(self.context.close)


def _walk(screen: Screen, starts: list[str], prefixes: tuple[str, ...]) -> list[str]:
    """The persona's pages: the starts, then breadth first one page per kind of address, the
    pages of one thing (an invoice, a declaration) before the lists and indexes."""
    seen, pages = set(), []
    queues: tuple[list[str], list[str], list[str]] = (list(starts), [], [])
    while any(queues) and len(pages) < MAX_PAGES:
        path = next(queue for queue in queues if queue).pop(0)
        if _kind(path) in seen:
            continue
        seen.add(_kind(path))
        pages.append(path)
        if screen.open(path) != 200:
            continue  # reported by the checks
        for href in screen.evaluate(LINKS_JS):
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith(prefixes) or parts.query:
                continue
            if SKIP.search(parts.path) or _kind(parts.path) in seen:
                continue
            queues[1 if "/N" in _kind(parts.path) else 2].append(parts.path)
    return pages


def _missing_actions(screen: Screen, path: str, actions) -> list[str]:
    found = []
    for kind, selector, count, what in actions:
        if _kind(path) == kind:
            matched = screen.evaluate(f"() => document.querySelectorAll({selector!r}).length")
            if matched < count:
                found.append(f"cannot: {what} ({selector}: {matched})")
    return found


def _problems(
    screen: Screen,
    path: str,
    language: str,
    french_only: set[str],
    actions=(),
    french_names: frozenset[str] = frozenset(),
) -> list[str]:
    found = []
    status = screen.open(path)
    if status != 200:
        return [f"answered {status}"]
    found += screen.errors
    width = screen.evaluate(OVERFLOW_JS)
    if width["scrollWidth"] > width["screen"] + 1:
        found.append(f"wider than the screen: {width['culprits'][:3]}")
    page = screen.evaluate(TEXTS_JS)
    found += [f"ISO date {m.group()}" for m in ISO_DATE.finditer(page["visible"])][:2]
    found += [f"US date {m.group()}" for m in US_DATE.finditer(page["visible"])][:2]
    texts = set(page["texts"])
    if language != "fr":
        # An office's name is the cooperative's data, written one way ("Bruxelles").
        offices = set(Office.objects.values_list("name", flat=True))
        found += [f"French text {text!r}" for text in sorted(texts & french_only - offices)][:5]
        # The stored (French) name of a contract type or an expense category the project
        # shows by its translated label: anywhere in the page, within a longer text too.
        found += [f"French name {name!r}" for name in sorted(french_names)
                  if name in page["visible"]][:5]  # fmt: skip
    found += [f"raw code {text!r}" for text in sorted(texts) if RAW_CODE.match(text)][:5]
    return found + _missing_actions(screen, path, actions)


def _french_names(language: str) -> frozenset[str]:
    """The stored French names of the contract types and expense categories that have a
    translated label: a page in another language shows the label, never the name."""
    if language == "fr":
        return frozenset()
    rows = [*ContractType.objects.filter(code__in=CONTRACT_TYPE_LABELS),
            *ExpenseCategory.objects.filter(code__in=EXPENSE_CATEGORY_LABELS)]  # fmt: skip
    with translation.override(language):
        return frozenset(row.name for row in rows if row.name != row.label)


@pytest.fixture(scope="module")
def french_only():
    return {language: _french_only(language) for language in ("nl", "en")}


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_day_one_walk(browser, live_server, persona, french_only):  # noqa: F811
    people = seed_demo()
    user = people[persona]
    if user.is_staff:
        _with_mfa(user)
    key = _session_key(user)
    starts, prefixes = PERSONAS[persona]
    first = Screen(browser, live_server.url, key, "laptop", "fr")
    try:
        pages = _walk(first, starts, prefixes)
    finally:
        first.close()
    assert len(pages) >= 5, f"{persona} reaches only {pages}"
    walked = {_kind(path) for path in pages}
    unreached = [what for kind, _s, _c, what in ACTIONS[persona] if kind not in walked]
    assert unreached == [], f"{persona} never reaches the page where {unreached}"
    folder = Path(SCREENSHOTS) / persona if SCREENSHOTS else None
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
    problems = {}
    for language in LANGUAGES:
        for size in SIZES:
            screen = Screen(browser, live_server.url, key, size, language)
            try:
                with translation.override(language):
                    for path in pages:
                        found = _problems(
                            screen,
                            path,
                            language,
                            french_only.get(language, set()),
                            ACTIONS[persona],
                            _french_names(language),
                        )
                        if found:
                            problems[f"{language} {size} {path}"] = found
                        if folder:
                            name = _kind(path).strip("/").replace("/", "_") or "root"
                            screen.screenshot(folder / f"{language}-{size}-{name}.png")
            finally:
                screen.close()
    if folder:
        (folder / "problems.json").write_text(json.dumps(problems, indent=1, ensure_ascii=False))
    assert problems == {}
