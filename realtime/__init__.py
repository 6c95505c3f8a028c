"""Notifications: the model, websocket consumer, groups, email tasks, outbox relay."""
