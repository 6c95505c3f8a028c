"""API plumbing the whole project shares: error rendering, pagination, permissions,
throttles, request guards and schema hooks. Apps' `api.py` modules import from here;
nothing here imports an app."""
