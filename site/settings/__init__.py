"""Settings modules, one per environment, all built on `base`."""
