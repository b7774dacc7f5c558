"""Content-Security-Policy, Permissions-Policy and Referrer-Policy (issue 14, point 5) on the
portal, the back-office and the API; no template carries an inline script, event handler or
style block that the policy would block (tests/portal/test_phone_browser.py runs the portal in
Chromium under the policy and fails on any console error)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def assert_security_headers(response):
    directives = _directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][0] == "'self'"
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    policy = response["Permissions-Policy"]
    assert "camera=(self)" in policy
    assert "geolocation=()" in policy
    assert "microphone=()" in policy
    assert response["Referrer-Policy"] == "same-origin"


def test_a_portal_page_has_the_security_headers(alice_client):
    response = alice_client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_the_receipt_form_may_use_the_camera_and_has_no_inline_script(alice_client):
    response = alice_client.get(reverse("portal:expense_create"))
    assert response.status_code == 200
    assert_security_headers(response)
    assert 'capture="environment"' in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_the_back_office_has_the_security_headers(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_the_login_page_and_the_api_have_them_too(client, alice_client):
    assert_security_headers(client.get(reverse("account_login")))
    assert_security_headers(alice_client.get("/api/v1/units/"))


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)(?![^>]*\bnonce=)")
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style(?![^>]*\bnonce=)|\sstyle=\"")


def test_no_served_template_has_inline_script_handlers_or_styles():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "pdf" in path.relative_to(TEMPLATES).parts:
            continue  # rendered to PDF by WeasyPrint, never served as a page
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_BLOCK):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern.pattern}")
    assert offenders == []
