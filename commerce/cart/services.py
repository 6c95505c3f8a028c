"""Every write to carts: add, change, remove lines and empty the cart."""

from django.db import IntegrityError, transaction
from django.http import Http404

from cms.models import ProductPage
from commerce.catalog.errors import ProductUnavailable
from commerce.inventory.errors import InsufficientStock
from commerce.inventory.models import StockRecord

from .errors import QuantityTooLarge
from .locks import lock_cart
from .models import Cart, CartItem

# A ceiling on one line keeps arithmetic and stock checks far from integer limits.
MAX_LINE_QUANTITY = 1000


def cart_get_or_create(*, user) -> Cart:
    """The user's cart, created on first use; safe when two requests race."""
    cart = Cart.objects.filter(user=user).first()
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return Cart.objects.create(user=user)
    except IntegrityError:
        return Cart.objects.get(user=user)


def _check_line(*, product_id: int, quantity: int) -> None:
    """Raise unless `quantity` units of the product may sit in a cart right now.

    Stock is read without a lock: a cart holds no stock, and checkout re-checks
    under lock. This check only tells the shopper early.
    """
    if quantity > MAX_LINE_QUANTITY:
        raise QuantityTooLarge(maximum=MAX_LINE_QUANTITY)
    if not ProductPage.objects.available().filter(pk=product_id).exists():
        raise ProductUnavailable(product_id=product_id)
    available = (
        StockRecord.objects.filter(product_id=product_id)
        .values_list("quantity", flat=True)
        .first()
    ) or 0
    if quantity > available:
        raise InsufficientStock(product_id=product_id, available=available)


def cart_item_add(*, user, product_id: int, quantity: int = 1) -> Cart:
    """Put units of a product in the cart, raising an existing line's quantity.

    Locks: the user's Cart row (so two adds of one product cannot both insert).
    Raises ProductUnavailable, InsufficientStock or QuantityTooLarge, changing nothing.
    """
    cart_get_or_create(user=user)
    with transaction.atomic():
        cart = lock_cart(user_id=user.pk)
        item = CartItem.objects.filter(cart=cart, product_id=product_id).first()
        total = quantity + (item.quantity if item else 0)
        _check_line(product_id=product_id, quantity=total)
        if item is None:
            CartItem.objects.create(cart=cart, product_id=product_id, quantity=total)
        else:
            item.quantity = total
            item.save(update_fields=["quantity", "updated_at"])
    return cart


def cart_item_update(*, user, item_id: int, quantity: int) -> Cart:
    """Set a line's quantity. Locks: the user's Cart row.

    Raises Http404 for a line that is not in this user's cart.
    """
    with transaction.atomic():
        cart = lock_cart(user_id=user.pk)
        item = cart and CartItem.objects.filter(cart=cart, pk=item_id).first()
        if item is None:
            raise Http404("No such cart line.")
        _check_line(product_id=item.product_id, quantity=quantity)
        item.quantity = quantity
        item.save(update_fields=["quantity", "updated_at"])
    return cart


def cart_item_remove(*, user, item_id: int) -> None:
    """Delete a line of the user's cart; Http404 if it is not theirs."""
    deleted, _ = CartItem.objects.filter(cart__user=user, pk=item_id).delete()
    if not deleted:
        raise Http404("No such cart line.")


def cart_clear(*, user) -> None:
    """Empty the user's cart (the cart itself stays)."""
    CartItem.objects.filter(cart__user=user).delete()
