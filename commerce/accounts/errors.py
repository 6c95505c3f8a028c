"""Account errors raised by the services."""


class EmailAlreadyRegistered(Exception):
    pass


class WrongPassword(Exception):
    """The current password given to confirm a change does not match."""


class InvalidResetLink(Exception):
    """A password reset uid/token that is malformed, expired or already used."""
