"""/api/v1/ routes of catalog."""

from django.urls import path

from . import api, api_search

urlpatterns = [
    path("categories/", api.CategoryListView.as_view(), name="category-list"),
    path("products/", api.ProductListView.as_view(), name="product-list"),
    path(
        "products/autocomplete/",
        api_search.ProductAutocompleteView.as_view(),
        name="product-autocomplete",
    ),
    path(
        "products/facets/",
        api_search.ProductFacetsView.as_view(),
        name="product-facets",
    ),
    path(
        "products/<int:product_id>/",
        api.ProductDetailView.as_view(),
        name="product-detail",
    ),
    path(
        "products/<int:product_id>/restore/",
        api.ProductRestoreView.as_view(),
        name="product-restore",
    ),
    path(
        "products/<int:product_id>/images/",
        api.ProductImageUploadView.as_view(),
        name="product-images",
    ),
]
