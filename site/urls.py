"""URL map: the API, its documentation, both admins and, last, Wagtail's pages."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from nexus.api.errors import unknown_api_path
from nexus.api.index import ApiIndexView

# /api/v1/: each app contributes its own routes.
api_v1 = [
    path("", ApiIndexView.as_view(), name="api-index"),
    path("auth/", include("commerce.accounts.urls")),
    path("", include("commerce.catalog.urls")),
    path("", include("commerce.cart.urls")),
    path("", include("commerce.orders.urls")),
    path("", include("commerce.payments.urls")),
    path("", include("commerce.reviews.urls")),
    path("", include("commerce.wishlist.urls")),
    path("", include("realtime.urls")),
]

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Whatever else is under /api/ is a JSON 404, before Wagtail's pages can see it.
    re_path(r"^api/", unknown_api_path),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

handler400 = "nexus.api.errors.bad_request"
handler404 = "nexus.api.errors.not_found"
handler500 = "nexus.api.errors.server_error"
