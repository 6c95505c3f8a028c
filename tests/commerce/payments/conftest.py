"""Payment fixtures: a pending order, provider doubles on local ports, signing."""

import socket

import pytest

from tests.factories import UserFactory
from tests.factories.catalog import create_product
from tests.factories.orders import place_order

from .stripe_double import API_KEY, WEBHOOK_SECRET, StripeDouble

# This worktree's ports (18100-18199); the first free one is taken.
PORTS = range(18100, 18200)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18100-18199")


@pytest.fixture
def product(db):
    return create_product(stock=10, price="25.00", sku="PAY-1", title="Lamp")


@pytest.fixture
def shopper(db):
    return UserFactory(email="payer@example.com")


@pytest.fixture
def order(shopper, product):
    """A pending order of 2 lamps: 50.00 USD, stock down to 8."""
    return place_order(shopper, (product, 2))


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, email="staff@example.com")


@pytest.fixture
def stripe_double(settings):
    double = StripeDouble(free_port()).start()
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = double.url
    yield double
    double.stop()


@pytest.fixture
def paypal_double(settings):
    from django.core.cache import cache

    from commerce.payments.providers.paypal import TOKEN_CACHE_KEY

    from .paypal_double import CLIENT_ID, CLIENT_SECRET, WEBHOOK_ID, PayPalDouble

    double = PayPalDouble(free_port()).start()
    settings.PAYPAL_CLIENT_ID = CLIENT_ID
    settings.PAYPAL_CLIENT_SECRET = CLIENT_SECRET
    settings.PAYPAL_WEBHOOK_ID = WEBHOOK_ID
    settings.PAYPAL_API_BASE = double.url
    cache.delete(TOKEN_CACHE_KEY)
    yield double
    cache.delete(TOKEN_CACHE_KEY)
    double.stop()
