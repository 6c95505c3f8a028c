"""The product editor's form: a new product's initial stock.

Stock is not page content (it never rides in a revision): the number is only
carried on the saved page as `initial_stock`, for the `after_create_page` and
`after_edit_page` hooks that commerce registers to apply it through the stock
service. It is asked until the product is first published (autosave turns a new
product into a draft after the first keystrokes, and the editor may type the
stock after that); from then on stock changes are made from Stock.
"""

from django import forms
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel

MAX_INITIAL_STOCK = 1_000_000


class ProductPageForm(WagtailAdminPageForm):
    initial_stock = forms.IntegerField(
        label="Initial stock",
        min_value=0,
        max_value=MAX_INITIAL_STOCK,
        required=False,
        initial=0,
        help_text="Units on hand when the product is created. Later changes are "
        "made from Stock, where each is recorded with its reason.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        product = self.instance
        if product.first_published_at is not None:
            # A product on sale has its stock changed from Stock, never here.
            del self.fields["initial_stock"]
        elif product.pk:
            # The stock row, read through the relation inventory declares on the
            # page; a draft without one has none yet.
            record = getattr(product, "stock_record", None)
            self.fields["initial_stock"].initial = record.quantity if record else 0

    def save(self, commit=True):
        page = super().save(commit=commit)
        # Applied when new, or when the editor changed it from the stock on hand.
        if "initial_stock" in self.fields and (
            self.instance._state.adding or "initial_stock" in self.changed_data
        ):
            page.initial_stock = self.cleaned_data.get("initial_stock") or 0
        return page


class CreateOnlyFieldPanel(FieldPanel):
    """A panel for a form-only field: shown while the field is on the form (when
    creating), and never part of a revision comparison."""

    def get_comparison(self):
        return []
