"""The portal installable on a phone's home screen: the web app manifest, the service worker
and the page it shows offline.

The service worker keeps the shell only (the offline page, the stylesheet, the scripts and
the icons, all public static files) and never a member's data: pages and files go to the
network every time and are never stored; when the network is gone, a page asked for gets the
offline page instead. All three answers are public (nothing of a member is in them).
"""

import hashlib
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME = "#0b5d7a"
# Every stylesheet and script the portal's base page loads (tests/test_pwa.py checks it).
SHELL_STATIC = ("css/portal.css", "css/receipts.css", "js/menu.js", "js/pwa.js",
                "icons/icon-192.png", "icons/icon-512.png")  # fmt: skip


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": _("SmartCoop — my space"),
        "short_name": "SmartCoop",
        "start_url": reverse("portal:home"),
        "scope": reverse("portal:home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": [
            {
                "src": static(f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],  # fmt: skip
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


def shell_urls() -> list[str]:
    """What the service worker keeps: the offline page and public static files, nothing else."""
    return [reverse("pwa_offline")] + [static(path) for path in SHELL_STATIC]


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    urls = shell_urls()
    version = hashlib.sha256("\n".join(urls).encode()).hexdigest()[:12]
    response = render(
        request,
        "pwa/sw.js",
        {"shell": json.dumps(urls), "version": version, "offline": json.dumps(urls[0])},
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = reverse("portal:home")
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "pwa/offline.html")
