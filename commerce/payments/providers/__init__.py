"""Payment providers by name: `dummy`, `stripe` and `paypal`."""

from .base import PaymentProvider, ProviderPayment, ProviderRefund

__all__ = ["PaymentProvider", "ProviderPayment", "ProviderRefund", "get_provider"]


def get_provider(name: str) -> PaymentProvider:
    """The provider called `name`; KeyError for one this shop does not know."""
    from .dummy import DummyProvider
    from .paypal import PayPalProvider
    from .stripe import StripeProvider

    providers = {
        "dummy": DummyProvider,
        "stripe": StripeProvider,
        "paypal": PayPalProvider,
    }
    return providers[name]()
