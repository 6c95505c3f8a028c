"""Payments: providers, the payment state machine, the webhook inbox and refunds."""
