from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .health import health

admin.site.site_header = "SmartCoop — back-office"
admin.site.site_title = "SmartCoop"

# JSON under /api/, Django's pages elsewhere (smartcoop/api.py).
handler400 = "smartcoop.api.bad_request"
handler404 = "smartcoop.api.page_not_found"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False)),
    path("health/", health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("espace/", include("smartcoop.portal_urls")),
    path("api/v1/", include("smartcoop.api_urls")),
    path("api/schema/", include("smartcoop.api")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
