"""Flow fixtures: an SMTP sink and a stack of real processes on the test database."""

import pytest

from tests.realtime.smtp import SmtpSink

from .stack import Stack


@pytest.fixture
def sink():
    with SmtpSink() as smtp:
        yield smtp


@pytest.fixture
def stack(settings, sink, tmp_path):
    """Processes that share this test's (committed, transactional) database."""
    s = Stack(settings.DATABASES["default"]["NAME"], sink.port, tmp_path)
    yield s
    s.stop()
    # Drain our private queue so nothing waits on the broker for a worker that is gone.
    from nexus.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(s.queue)
