"""The board's portal pages on a phone (the same checks as tests/portal/test_phone_browser.py):
200 at 390 px wide, no sideways scrolling, no JavaScript or console error, the main menu on
screen."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

import tests.portal.test_phone_browser as phone_browser
from devtools.demo_board import ensure_board_demo
from governance.board_services import candidacy_file

pytestmark = phone_browser.pytestmark

# The phone browser's fixtures, by name (not its tests).
live_server = phone_browser.live_server
browser = phone_browser.browser


@pytest.fixture
def board_phone(browser, live_server, alice, denis):
    ensure_board_demo()
    candidacy = candidacy_file(
        member=alice.member,
        statement="Je me présente au conseil d'administration pour porter la voix des membres "
        "qui travaillent seuls : https://exemple.example/une-tres-longue-adresse-sans-espaces",
        by=alice,
    )
    device = phone_browser.Phone(browser, live_server.url, phone_browser._session_key(alice))
    yield device, candidacy
    device.close()


def test_the_board_pages_work_on_a_phone(board_phone):
    phone, candidacy = board_phone
    pages = [
        ("board", reverse("portal:governance_board")),
        ("candidacy", reverse("portal:governance_candidacy")),
        ("withdraw", reverse("portal:governance_candidacy_withdraw", args=[candidacy.pk])),
        ("ethics", reverse("portal:governance_ethics")),
    ]
    problems = []
    for name, path in pages:
        status = phone.open(path)
        if status != 200:
            problems.append(f"{name}: HTTP {status}")
            continue
        width = phone.overflow()
        if phone_browser._too_wide(width):
            problems.append(f"{name}: {width['scrollWidth']} px wide: {width['culprits']}")
        problems += [f"{name}: {error}" for error in phone.errors]
        problems += [f"{name}: menu {problem}" for problem in phone.menu_problems()]
        folder = os.environ.get("SMARTCOOP_PHONE_SCREENSHOTS", "")
        if folder:
            phone.screenshot(Path(folder) / f"phone-governance-{name}.png")
    assert problems == [], "\n".join(problems)
