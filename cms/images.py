"""The shop's image model: Wagtail's image plus the alt text product images need."""

from django.db import models
from wagtail.images.models import AbstractImage, AbstractRendition, Image


class ProductImage(AbstractImage):
    alt_text = models.CharField(
        max_length=255,
        blank=True,
        help_text="Describes the image for people who cannot see it.",
    )

    admin_form_fields = Image.admin_form_fields + ("alt_text",)

    class Meta(AbstractImage.Meta):
        verbose_name = "image"
        verbose_name_plural = "images"


class ProductImageRendition(AbstractRendition):
    image = models.ForeignKey(
        ProductImage, on_delete=models.CASCADE, related_name="renditions"
    )

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
