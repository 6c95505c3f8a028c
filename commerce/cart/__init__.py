"""The persistent server-side cart, one per user."""
