"""POST /products/{id}/images/: only real, bounded raster images reach the gallery."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from cms.models import ProductImage, ProductPage
from tests.factories.catalog import create_product
from tests.factories.images import png_bytes

pytestmark = pytest.mark.django_db


def image_bytes(fmt: str, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge canvas: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def upload(client, product, data: bytes, name: str, alt: str | None = None):
    body = {"image": SimpleUploadedFile(name, data, content_type="image/png")}
    if alt is not None:
        body["alt"] = alt
    return client.post(
        f"/api/v1/products/{product.pk}/images/", body, format="multipart"
    )


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_each_allowed_format_joins_the_published_gallery(admin_client_api, fmt):
    product = create_product()
    revisions = product.revisions.count()
    response = upload(admin_client_api, product, image_bytes(fmt), "photo.bin", "Front")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "url", "width", "height", "alt"}
    assert (body["width"], body["height"], body["alt"]) == (40, 30, "Front")
    product = ProductPage.objects.get(pk=product.pk)
    assert product.revisions.count() == revisions + 1
    assert [g.image_id for g in product.gallery_images.all()] == [body["id"]]
    listed = admin_client_api.get(f"/api/v1/products/{product.pk}/").json()
    assert listed["images"][0]["url"] == body["url"]


def test_stored_name_follows_the_bytes_not_the_uploaded_name(admin_client_api):
    product = create_product()
    response = upload(admin_client_api, product, image_bytes("JPEG"), "evil.png")
    assert response.status_code == 201
    image = ProductImage.objects.get(pk=response.json()["id"])
    assert image.file.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "photo.png"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
        ),
        (b"%PDF-1.4 not a picture", "photo.jpg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "broken.png"),
        (image_bytes("BMP"), "photo.bmp"),
    ],
)
def test_anything_that_is_not_a_supported_image_is_refused(
    admin_client_api, data, name
):
    product = create_product()
    response = upload(admin_client_api, product, data, name)
    assert response.status_code == 400
    assert "image" in response.json()
    assert not ProductImage.objects.exists()


def test_a_decompression_bomb_is_refused_without_decoding(admin_client_api):
    import resource

    product = create_product()
    bomb = png_header_claiming(100_000, 100_000)
    assert len(bomb) < 1000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response = upload(admin_client_api, product, bomb, "bomb.png")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert response.status_code == 400
    assert "pixels" in str(response.json()["image"])
    # Decoding 10^10 pixels would need tens of GB; peak memory stays put (KB).
    assert after - before < 50 * 1024


def test_more_pixels_than_the_setting_allows_is_refused(admin_client_api):
    product = create_product()
    with override_settings(IMAGE_UPLOAD_MAX_PIXELS=1000):
        response = upload(
            admin_client_api, product, image_bytes("PNG", (50, 50)), "a.png"
        )
    assert response.status_code == 400
    assert "pixels" in str(response.json()["image"])


def test_a_file_over_the_size_limit_is_refused(admin_client_api):
    product = create_product()
    with override_settings(IMAGE_UPLOAD_MAX_BYTES=100):
        response = upload(admin_client_api, product, png_bytes(64, 64), "big.png")
    assert response.status_code == 400
    assert "larger" in str(response.json()["image"])


def test_a_missing_file_is_a_field_error(admin_client_api):
    product = create_product()
    response = admin_client_api.post(
        f"/api/v1/products/{product.pk}/images/", {"alt": "x"}, format="multipart"
    )
    assert response.status_code == 400
    assert "image" in response.json()
