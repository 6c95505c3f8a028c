"""Account errors raised by the services."""


class EmailAlreadyRegistered(Exception):
    pass
