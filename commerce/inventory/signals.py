"""What inventory announces: stock of some products changed.

Sent by the stock service inside the transaction that changed the rows (under their
locks), so a receiver's writes commit or roll back with the change. The catalog's
read model listens, and so will anything that reacts to a restock; inventory itself
names none of them.
"""

from django.dispatch import Signal

# Keyword arguments: `changes`, {product_id: (quantity_before, quantity_after)}.
stock_changed = Signal()
