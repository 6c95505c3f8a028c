"""The peer's URLs: oscarapi under /api/ (plus its catalog page), Oscar's shop at /."""

from django.apps import apps
from django.urls import include, path

from .catalog import CatalogList

urlpatterns = [
    path("api/catalog/", CatalogList.as_view(), name="bench-catalog"),
    path("api/", include("oscarapi.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(apps.get_app_config("oscar").urls[0])),
]
