"""The back-office in Debian's Chromium under the Content-Security-Policy: the admin's pages
(index, change lists, change and add forms) load without a console error, so no admin script
or style is blocked by the policy (issue 14, point 5). Skipped without Chromium, like
tests/portal/test_phone_browser.py, whose browser and live server it shares."""

from pathlib import Path

import pytest
from django.test import Client as HttpClient

from members.models import Member
from tests.conftest import _with_mfa
from tests.portal.test_phone_browser import CHROMIUM, INSTALL, Phone, browser, live_server  # noqa: F401

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing: {INSTALL}"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_back_office_pages_run_under_the_content_security_policy(
    browser,  # noqa: F811
    live_server,  # noqa: F811
    admin_user,
    alice,
):
    _with_mfa(admin_user)
    http = HttpClient()
    http.force_login(admin_user)
    screen = Phone(browser, live_server.url, http.session.session_key)
    member = Member.objects.get(user=alice)
    problems = {}
    for path in [
        "/admin/",
        "/admin/members/member/",
        f"/admin/members/member/{member.pk}/change/",
        "/admin/members/member/add/",
        "/admin/invoicing/invoice/",
        "/admin/invoicing/client/add/",
        "/admin/payroll/expenseclaim/",
        "/admin/production_units/productionunit/",
        "/admin/members/shareregisterentry/",
    ]:
        status = screen.open(path)
        # The admin has no icon of its own: the browser's request for one is not the policy's.
        errors = [error for error in screen.errors if "/favicon.ico" not in error]
        if status != 200 or errors:
            problems[path] = (status, errors)
    assert problems == {}
