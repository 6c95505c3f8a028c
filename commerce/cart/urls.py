"""/api/v1/ routes of cart."""

urlpatterns: list = []
