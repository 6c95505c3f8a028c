"""/api/v1/ routes of notifications."""

urlpatterns: list = []
