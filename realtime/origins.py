"""The websocket handshake's Origin check: browsers from our hosts, or no browser."""

from channels.security.websocket import OriginValidator
from django.conf import settings


def allowed_hosts() -> list[str]:
    """ALLOWED_HOSTS as Channels' AllowedHostsOriginValidator reads it."""
    if settings.DEBUG and not settings.ALLOWED_HOSTS:
        return ["localhost", "127.0.0.1", "[::1]"]
    return list(settings.ALLOWED_HOSTS)


class BrowserOriginValidator(OriginValidator):
    """Refuses (403 at the handshake) an `Origin` not in ALLOWED_HOSTS; lets a
    handshake without one through.

    Every browser sends `Origin` on a websocket handshake, so a page on a foreign site
    cannot leave it out; a client that sends none is an app or a server, and it still
    has to bring a token. Channels' own validator refuses those clients too.
    """

    def __init__(self, application):
        # ALLOWED_HOSTS is read per handshake (below), not frozen at import.
        super().__init__(application, allowed_origins=())

    def valid_origin(self, parsed_origin) -> bool:
        if parsed_origin is None:
            return True
        return any(
            pattern == "*" or self.match_allowed_origin(parsed_origin, pattern)
            for pattern in allowed_hosts()
        )
