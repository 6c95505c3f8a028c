"""Laptop settings: the embedded default, with DEBUG on unless DEBUG says otherwise."""

from .base import *  # noqa: F403
from .base import ENV
from .env import machine_secret_key

DEBUG = True if ENV.debug is None else ENV.debug
# Without SECRET_KEY, a random key of this machine, kept outside git (.gitignore).
SECRET_KEY = ENV.secret_key or machine_secret_key(ENV.secret_key_file)
