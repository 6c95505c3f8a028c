"""ASGI entry point for daphne: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings.dev")

# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

# The embedded default's periodic tasks (no broker, no beat); a no-op elsewhere.
from nexus.beat import start_in_process_beat  # noqa: E402

start_in_process_beat()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from realtime.origins import BrowserOriginValidator  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": BrowserOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)
