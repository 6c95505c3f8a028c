"""Throttle tests run at the real default rates, inside one fixed window."""

import pytest
from django.conf import settings
from django.test import override_settings


@pytest.fixture
def real_rates_in_one_window(monkeypatch):
    """The documented rates, and a clock 10 s into a window for the whole test.

    A test that straddled a window's end would see its counters reset halfway.
    """
    from nexus.api import throttles
    from nexus.settings.env import throttle_rates

    start = 1_800_000_000 - 1_800_000_000 % 3600 + 10

    class Clock:
        @staticmethod
        def time() -> float:
            return start

    monkeypatch.setattr(throttles, "time", Clock)
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": throttle_rates(None)}
    with override_settings(REST_FRAMEWORK=rates):
        yield
