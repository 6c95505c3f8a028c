"""factory_boy factories shared by the whole suite."""

from tests.factories.accounts import UserFactory

__all__ = ["UserFactory"]
