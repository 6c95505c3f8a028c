"""/api/v1/ routes of orders."""

urlpatterns: list = []
