"""The product editor's form: a new product's initial stock, asked once.

Stock is not page content (it never rides in a revision): the number is only
carried on the saved page as `initial_stock`, for the `after_create_page` hook that
commerce registers to apply it through the stock service.
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
        if self.instance.pk:
            # An existing product's stock is changed from Stock, never here.
            del self.fields["initial_stock"]

    def save(self, commit=True):
        page = super().save(commit=commit)
        if "initial_stock" in self.fields:
            page.initial_stock = self.cleaned_data.get("initial_stock") or 0
        return page


class CreateOnlyFieldPanel(FieldPanel):
    """A panel for a form-only field: shown while the field is on the form (when
    creating), and never part of a revision comparison."""

    def get_comparison(self):
        return []
