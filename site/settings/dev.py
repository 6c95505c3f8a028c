"""Laptop settings: the embedded default, with DEBUG on unless DEBUG says otherwise."""

from .base import *  # noqa: F403
from .base import ENV

DEBUG = True if ENV.debug is None else ENV.debug
