"""The portal installable on a phone (smartcoop/pwa.py): a manifest whose icons exist, a
service worker that keeps the shell only (public static files and the offline page, never a
member's page or file), an offline page; all three public and holding nothing of a member."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from smartcoop.pwa import SHELL_STATIC, shell_urls

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_portal_and_icons_that_exist(client):
    response = client.get(reverse("pwa_manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == reverse("portal:home")
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for path in SHELL_STATIC:
        assert finders.find(path), path


def test_the_service_worker_keeps_the_shell_only(client):
    response = client.get(reverse("pwa_service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == reverse("portal:home")
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    shell = json.loads(script.split("const SHELL = ", 1)[1].split(";\n", 1)[0])
    assert shell == shell_urls()
    # Nothing of the portal but its public offline page; no file of a member.
    assert [url for url in shell if not url.startswith("/static/")] == [reverse("pwa_offline")]
    assert "cache.put" not in script  # pages and files fetched are never stored


def test_the_offline_page_is_public_and_every_page_links_the_manifest(alice_client):
    response = Client().get(reverse("pwa_offline"))
    assert response.status_code == 200
    assert 'id="offline"' in response.content.decode()
    home = alice_client.get(reverse("portal:home")).content.decode()
    assert f'rel="manifest" href="{reverse("pwa_manifest")}"' in home
    assert 'id="offline-banner" hidden' in home
    assert f'data-worker="{reverse("pwa_service_worker")}"' in home


def test_the_shell_holds_every_stylesheet_and_script_of_the_portal_page(alice_client):
    home = alice_client.get(reverse("portal:home")).content.decode()
    loaded = set(re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', home))
    assert loaded, "the home page loads no stylesheet or script?"
    assert loaded <= set(shell_urls()), loaded - set(shell_urls())
