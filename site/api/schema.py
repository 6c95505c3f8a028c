"""OpenAPI schema hooks for drf-spectacular."""


def only_public_api(endpoints: list) -> list:
    """drf-spectacular hook: document /api/v1/ only, not Wagtail's admin API views."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
