"""A member files three receipts from a phone-sized browser (issue 18's "done when"):
photographs two (the camera input, given files instead), picks a PDF, sees what was read,
corrects one, files all three; the advisor then sees them in the back-office, with what was
read and what the member changed.

Debian's Chromium driven by Playwright, as in test_phone_browser (its browser, live server
and phone are reused); the receipts are generated (devtools.receipts_testset).
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from devtools.receipts_testset import generate
from payroll.models import ExpenseCategory, ExpenseClaim, Receipt
from tests.expense_helpers import with_mfa
from tests.portal.test_phone_browser import (  # noqa: F401 (the module's fixtures, reused)
    CHROMIUM,
    INSTALL,
    OVERFLOW_JS,
    SCREENSHOTS,
    Phone,
    _session_key,
    _too_wide,
    browser,
    live_server,
)

sync_api = pytest.importorskip("playwright.sync_api", reason=f"playwright missing: {INSTALL}")

pytestmark = [
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason=INSTALL),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "fr-BE"}


def _receipts():
    """Two photos (JPEG) and a PDF with a text layer, dated in the last weeks; together
    within what alice's Activité unit can pay."""
    today = timezone.localdate()
    start = max(today - timedelta(days=20), date(today.year, 1, 1))
    samples = generate(10, seed=3, start=start, days=max(1, (today - start).days))
    photos = [s for s in samples if s.content_type == "image/jpeg" and s.total < 250][:2]
    pdfs = [s for s in samples if s.name.endswith(".pdf") and s.total < 250]
    assert len(photos) == 2 and pdfs, "the seeded set holds two cheap photos and a PDF"
    return photos, pdfs[-1]


def _file(sample):
    return {"name": sample.name, "mimeType": sample.content_type, "buffer": sample.content}


def test_a_member_files_three_receipts_from_her_phone_and_the_advisor_sees_them(
    browser,  # noqa: F811
    live_server,  # noqa: F811
    alice,
    alice_activity,
    claire,
):
    photos, pdf = _receipts()
    inbox = reverse("portal:receipt_inbox")
    phone = Phone(browser, live_server.url, _session_key(alice))
    other = ExpenseCategory.objects.get(code="other")
    try:

        def drop(page):
            page.goto(live_server.url + inbox, wait_until="load")
            # Two photos in a row with the camera button, then a PDF from the files.
            with page.expect_navigation(wait_until="load"):
                page.set_input_files("#receipt-scan", [_file(s) for s in photos])
            with page.expect_navigation(wait_until="load"):
                page.set_input_files("#receipt-files", [_file(pdf)])
            if SCREENSHOTS:
                page.screenshot(path=f"{SCREENSHOTS}/receipts-inbox.png", full_page=True)
            return {
                "cards": page.locator(".receipt-card").count(),
                "totals": [
                    element.get_attribute("data-read-total")
                    for element in page.locator("[data-read-total]").all()
                ],
                "width": page.evaluate(OVERFLOW_JS),
            }

        seen = phone.do(drop)
        assert not _too_wide(seen["width"]), seen["width"]
        assert seen["cards"] == 3
        assert sorted(seen["totals"]) == sorted(f"{s.total:.2f}" for s in [*photos, pdf])

        def review(sample, *, correct):
            receipt = Receipt.objects.get(owner=alice, original_name=sample.name)

            def steps(page):
                page.goto(
                    live_server.url + reverse("portal:receipt_review", args=[receipt.pk]),
                    wait_until="load",
                )
                proposed = {
                    "amount": page.input_value("input[name=amount]"),
                    "spent_on": page.input_value("input[name=spent_on]"),
                    "too wide": _too_wide(page.evaluate(OVERFLOW_JS)),
                }
                if SCREENSHOTS and correct:
                    page.screenshot(path=f"{SCREENSHOTS}/receipts-review.png", full_page=True)
                page.select_option("select[name=unit]", str(alice_activity.pk))
                if correct:
                    page.select_option("select[name=category]", str(other.pk))
                    page.fill("input[name=description]", "Câbles pour l'atelier")
                with page.expect_navigation(wait_until="load"):
                    page.click("#file-claim")
                return proposed, page.url

            return receipt, phone.do(steps)

        for index, sample in enumerate([*photos, pdf]):
            receipt, (proposed, landed) = review(sample, correct=index == 0)
            assert proposed == {
                "amount": f"{sample.total:.2f}",
                "spent_on": sample.spent_on.isoformat(),
                "too wide": False,
            }
            assert landed.endswith(inbox)
            receipt.refresh_from_db()
            assert receipt.status == Receipt.Status.FILED
        assert phone.errors == []
        assert phone.do(lambda page: page.locator(".receipt-card").count()) == 0
    finally:
        phone.close()

    claims = ExpenseClaim.objects.filter(worker__user=alice, unit=alice_activity)
    assert sorted(c.amount for c in claims) == sorted(s.total for s in [*photos, pdf])
    corrected = claims.get(scan__original_name=photos[0].name)
    assert corrected.category == other
    assert corrected.description == "Câbles pour l'atelier"

    # The advisor, at her desk: the three claims in her queue, the receipt beside each one,
    # what was read and what the member changed.
    listed, changes = _advisor_looks(browser, live_server, claire, claims)
    assert listed == 3
    for claim in claims:
        assert changes[claim.pk]["shown"] == 1
        assert changes[claim.pk]["image"] == (0 if claim.scan.content_type.endswith("pdf") else 1)
    assert changes[corrected.pk]["changed"]  # the category and the description


def _advisor_looks(browser, live_server, claire, claims):  # noqa: F811
    """(rows of the advisor's claim list, per claim: its reading block, image, changes)."""
    advisor = Phone(browser, live_server.url, _session_key(with_mfa(claire)))

    def look(page):
        page.set_viewport_size(DESKTOP["viewport"])
        page.goto(
            live_server.url + reverse("admin:payroll_expenseclaim_changelist"), wait_until="load"
        )
        listed = page.locator("#result_list tbody tr").count()
        changes = {}
        for claim in claims:
            page.goto(
                live_server.url + reverse("admin:payroll_expenseclaim_change", args=[claim.pk]),
                wait_until="load",
            )
            reading = page.locator(".receipt-reading")
            if SCREENSHOTS:
                page.screenshot(path=f"{SCREENSHOTS}/receipts-admin-{claim.pk}.png", full_page=True)
            changes[claim.pk] = {
                "shown": reading.count(),
                "image": reading.locator("img").count(),
                "changed": [t for t in reading.locator("td.changed").all_inner_texts() if t],
            }
        return listed, changes

    try:
        return advisor.do(look)
    finally:
        advisor.close()
