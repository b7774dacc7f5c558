"""Every advisor queue fits a 1366 px laptop screen (issue 16): in Debian's Chromium at
1366x768, no queue's table is wider than its container (no sideways scrolling), with the
amounts, dates, unit and age of each file on screen. Skipped without Chromium, like
tests/test_admin_browser.py, whose browser and live server it shares."""

from datetime import date
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.test import RequestFactory

from core.admin_kit import advisor_queue
from members.models import MembershipApplication
from payroll.models import PayrollRun
from payroll.work.declaration_services import declaration_approve, declaration_submit
from payroll.work.job_services import job_submit
from tests.conftest import _with_mfa
from tests.expense_helpers import alice_claim
from tests.members.test_membership_admin import submit
from tests.portal.test_phone_browser import CHROMIUM, INSTALL, browser, live_server  # noqa: F401
from tests.work_helpers import MON, TUE, days, make_declaration, make_job, set_balance
from tests.work_helpers import unverified_client as new_client

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing: {INSTALL}"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LAPTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "fr-BE"}

# Run in the page: the result table's width against its container's, and the columns shown.
WIDTHS_JS = """() => {
  const table = document.querySelector("#result_list");
  if (!table) return null;
  const box = document.querySelector("#changelist .results") || table.parentElement;
  return {
    table: Math.ceil(table.getBoundingClientRect().width),
    container: Math.ceil(box.getBoundingClientRect().width),
    scroll: box.scrollWidth,
    client: box.clientWidth,
    page: document.documentElement.scrollWidth,
    columns: [...table.querySelectorAll("thead th")].flatMap((th) =>
      [...th.classList].filter((name) => name.startsWith("column-"))),
    rows: table.querySelectorAll("tbody tr").length,
  };
}"""


@pytest.fixture
def files(alice, alice_3en1, alice_activity, admin_user, claire, settings, tmp_path):
    """One file waiting in each of claire's main queues."""
    settings.MEDIA_ROOT = tmp_path / "media"
    set_balance(alice_activity, "5000.00", by=admin_user)
    job = make_job(alice, alice_3en1, client=new_client(alice, alice_3en1))
    job_submit(job=job, by=alice)
    for day in (MON, TUE):
        draft = make_declaration(alice, alice_activity, work_days=days((day, "8")))
        declaration = declaration_submit(declaration=draft, by=alice)
    declaration_approve(declaration=declaration, by=claire)  # its contract: pay held below
    PayrollRun.objects.create(period=date(2030, 12, 1))
    alice_claim(alice, alice_activity, description="Câbles XLR et pieds de micro")
    submit("eva@example.test", 42)
    assert MembershipApplication.objects.count() == 1


def test_every_advisor_queue_fits_a_1366_px_screen(browser, live_server, claire, files):  # noqa: F811
    http = HttpClient()
    http.force_login(_with_mfa(claire))
    request = RequestFactory().get("/admin/")
    request.user = claire
    queues = {item.label: item.url for item in advisor_queue(request)}
    assert len(queues) >= 5

    def measure(chromium):
        context = chromium.new_context(base_url=live_server.url, **LAPTOP)
        cookie = {"name": "sessionid", "value": http.session.session_key, "url": live_server.url}
        context.add_cookies([cookie])
        page = context.new_page()
        found = {}
        for label, url in queues.items():
            response = page.goto(live_server.url + url, wait_until="load")
            found[label] = (response.status if response else None, page.evaluate(WIDTHS_JS))
        context.close()
        return found

    found = browser.run(measure, browser.chromium)

    problems = {
        label: widths
        for label, (status, widths) in found.items()
        if status != 200
        or widths is not None
        and (widths["table"] > widths["container"] or widths["scroll"] > widths["client"])
    }
    assert problems == {}
    shown = {label: widths for label, (_status, widths) in found.items() if widths}
    # The queues that hold a file show it, with its age, amounts, dates and unit.
    for label in (
        "Jobs to validate",
        "Work declarations to approve",
        "Expense claims to review",
        "Membership applications to decide",
        "Contracts not accepted by the worker: pay held",
    ):
        assert shown[label]["rows"] == 1, label
        assert "column-age" in shown[label]["columns"], label
    claims = shown["Expense claims to review"]["columns"]
    for column in ("spent_on_display", "unit_code", "amount_display", "balance_display"):
        assert f"column-{column}" in claims
    assert {widths["page"] for widths in shown.values()} == {1366}
