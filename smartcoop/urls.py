from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from core.files import private_file
from core.health import health
from smartcoop import pwa

# JSON under /api/, Django's pages elsewhere (core/api.py).
handler400 = "core.api.bad_request"
handler404 = "core.api.page_not_found"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False)),
    path("health/", health, name="health"),
    # The portal as a home-screen app (smartcoop/pwa.py): public, nothing of a member.
    path("manifest.webmanifest", pwa.manifest, name="pwa_manifest"),
    path("sw.js", pwa.service_worker, name="pwa_service_worker"),
    path("offline/", pwa.offline, name="pwa_offline"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("espace/", include("smartcoop.portal_urls")),
    path("api/v1/", include("smartcoop.api_urls")),
    path("api/schema/", include("core.api")),
    # Every stored file, access-checked; nothing is served from a public media URL.
    path("files/<path:name>", private_file, name="private_file"),
]
