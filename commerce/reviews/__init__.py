"""Reviews by verified buyers, their moderation and the per-product rating."""
