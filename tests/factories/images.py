"""Small generated images, stored as Wagtail images and added to product galleries."""

import io

from django.core.files.images import ImageFile
from PIL import Image

from cms.models import ProductGalleryImage, ProductImage


def png_bytes(width: int = 8, height: int = 8, colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def create_image(title: str = "Photo", alt: str = "") -> ProductImage:
    image = ProductImage(
        title=title,
        alt_text=alt,
        file=ImageFile(io.BytesIO(png_bytes()), name="photo.png"),
    )
    image._set_image_file_metadata()
    image.save()
    return image


def attach_image(product, alt: str = "") -> ProductGalleryImage:
    """Add an image to the product's gallery and publish that as a revision."""
    product.gallery_images.add(ProductGalleryImage(image=create_image(), alt=alt))
    product.save_revision().publish()
    return product.gallery_images.last()
