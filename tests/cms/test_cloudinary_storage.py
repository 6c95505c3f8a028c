"""cms.storage.CloudinaryStorage against a local double of Cloudinary's HTTP API."""

import io

import cloudinary
import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from cms.storage import CloudinaryStorage
from tests.cms.cloudinary_double import CloudinaryDouble
from tests.factories.images import create_image, png_bytes

CONFIG_KEYS = (
    "cloud_name",
    "api_key",
    "api_secret",
    "upload_prefix",
    "secure",
    "cname",
)


@pytest.fixture
def cloud():
    saved = {key: getattr(cloudinary.config(), key, None) for key in CONFIG_KEYS}
    with CloudinaryDouble(
        cloud_name="nexus-test", api_key="1234", api_secret="s3cret"
    ) as double:
        storage = CloudinaryStorage(
            cloudinary_url="cloudinary://1234:s3cret@nexus-test"
        )
        cloudinary.config(
            upload_prefix=f"http://{double.address}",
            secure=False,
            cname=double.address,
        )
        yield double, storage
    for key, value in saved.items():
        setattr(cloudinary.config(), key, value)


def test_upload_then_url_exists_open_and_size(cloud):
    double, storage = cloud
    data = png_bytes()
    name = storage.save("original_images/lamp.png", ContentFile(data))
    assert name == "original_images/lamp.png"
    assert double.assets["original_images/lamp"]["bytes"] == data
    assert storage.exists(name)
    assert storage.size(name) == len(data)
    url = storage.url(name)
    assert url.startswith(f"http://{double.address}/nexus-test/image/upload/")
    assert url.endswith("original_images/lamp.png")
    with storage.open(name) as handle:
        assert handle.read() == data


def test_a_taken_name_gets_a_new_one_instead_of_overwriting(cloud):
    double, storage = cloud
    first = storage.save("original_images/same.png", ContentFile(b"one"))
    second = storage.save("original_images/same.png", ContentFile(b"two"))
    assert first != second
    assert double.assets[storage.public_id(first)]["bytes"] == b"one"


def test_delete_destroys_the_asset(cloud):
    double, storage = cloud
    name = storage.save("original_images/gone.png", ContentFile(png_bytes()))
    storage.delete(name)
    assert not storage.exists(name)
    assert "original_images/gone" not in double.assets
    with pytest.raises(FileNotFoundError):
        storage.open(name)


def test_a_bad_secret_is_refused_by_the_service(cloud):
    double, _ = cloud
    wrong = CloudinaryStorage(cloudinary_url="cloudinary://1234:wrong@nexus-test")
    cloudinary.config(upload_prefix=f"http://{double.address}")
    with pytest.raises(cloudinary.exceptions.Error):
        wrong.save("original_images/x.png", ContentFile(b"x"))
    assert double.assets == {}


@pytest.mark.django_db
def test_wagtail_images_and_their_renditions_are_stored_on_cloudinary(
    cloud, django_capture_on_commit_callbacks
):
    double, _ = cloud
    with override_settings(
        STORAGES={
            "default": {
                "BACKEND": "cms.storage.CloudinaryStorage",
                "OPTIONS": {"cloudinary_url": "cloudinary://1234:s3cret@nexus-test"},
            },
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        }
    ):
        cloudinary.config(upload_prefix=f"http://{double.address}")
        image = create_image(title="Lamp")
        assert image.file.name.startswith("original_images/")
        assert storage_public_id(image.file.name) in double.assets
        rendition = image.get_rendition("fill-4x4")
        assert rendition.file.name.startswith("images/")
        stored = double.assets[storage_public_id(rendition.file.name)]["bytes"]
        from PIL import Image

        assert Image.open(io.BytesIO(stored)).size == (4, 4)
        assert rendition.url.startswith(f"http://{double.address}/nexus-test/")
        # Wagtail removes files once the deleting transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            image.delete()
    assert storage_public_id(image.file.name) not in double.assets
    assert storage_public_id(rendition.file.name) not in double.assets


def storage_public_id(name: str) -> str:
    return CloudinaryStorage.public_id(name)
