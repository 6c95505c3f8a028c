"""Upload checks for images: the bytes decide the type, headers decide the size.

Only JPEG, PNG, WebP and GIF pass, recognised by their signature, never by name.
Dimensions come from the header (Pillow's `Image.open` is lazy), so a
decompression bomb is refused before a single pixel is decoded.
"""

import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image

SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "PNG", "png"),
    (b"GIF87a", "GIF", "gif"),
    (b"GIF89a", "GIF", "gif"),
)
NOT_AN_IMAGE = "Upload a JPEG, PNG, WebP or GIF image."


@dataclass(frozen=True)
class ImageFacts:
    format: str
    extension: str
    width: int
    height: int


def _sniff(head: bytes) -> tuple[str, str] | None:
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP", "webp"
    for signature, image_format, extension in SIGNATURES:
        if head.startswith(signature):
            return image_format, extension
    return None


def validate_image_upload(upload) -> ImageFacts:
    """Raise ValidationError unless `upload` is a safe, bounded raster image."""
    max_bytes = settings.IMAGE_UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            f"The image is larger than {max_bytes // (1024 * 1024)} MB.",
            code="too_large",
        )
    upload.seek(0)
    sniffed = _sniff(upload.read(16))
    if sniffed is None:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
    image_format, extension = sniffed
    upload.seek(0)
    max_pixels = settings.IMAGE_UPLOAD_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it; make it an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if image.format != image_format:
                    raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
                if width * height > max_pixels:
                    raise ValidationError(
                        f"The image has more than {max_pixels:,} pixels.",
                        code="too_many_pixels",
                    )
                # verify() walks the file's structure without keeping pixels.
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            f"The image has more than {max_pixels:,} pixels.", code="too_many_pixels"
        ) from error
    except ValidationError:
        raise
    except Exception as error:  # noqa: BLE001 - any parser failure means "not an image"
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from error
    finally:
        upload.seek(0)
    if width < 1 or height < 1:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
    return ImageFacts(image_format, extension, width, height)
