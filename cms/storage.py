"""A Django storage on Cloudinary, for original images and renditions alike.

Written on the official `cloudinary` SDK because the old Django packages for it are
unmaintained. A stored name such as `original_images/lamp.png` becomes the image
public id `original_images/lamp`, delivered as PNG; everything else about a file
(its bytes, its size) is asked of Cloudinary.
"""

import posixpath
from io import BytesIO

import cloudinary
import cloudinary.api
import cloudinary.exceptions
import cloudinary.uploader
import cloudinary.utils
import urllib3
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible

RESOURCE_TYPE = "image"


@deconstructible
class CloudinaryStorage(Storage):
    """Stores files as Cloudinary image assets named after their storage path."""

    def __init__(self, cloudinary_url: str | None = None, timeout: float = 30):
        self.cloudinary_url = cloudinary_url or getattr(
            settings, "CLOUDINARY_URL", None
        )
        self.timeout = timeout
        if self.cloudinary_url:
            cloudinary.config()._load_from_url(self.cloudinary_url)
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(total=timeout), retries=urllib3.Retry(2)
        )

    @staticmethod
    def public_id(name: str) -> str:
        stem, _ = posixpath.splitext(name.replace("\\", "/"))
        return stem

    @staticmethod
    def _format(name: str) -> str | None:
        extension = posixpath.splitext(name)[1].lstrip(".").lower()
        return extension or None

    def _save(self, name: str, content) -> str:
        content.seek(0)
        cloudinary.uploader.upload(
            content,
            public_id=self.public_id(name),
            resource_type=RESOURCE_TYPE,
            overwrite=True,
            unique_filename=False,
            use_filename=False,
            invalidate=True,
            timeout=self.timeout,
        )
        return name

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode:
            raise ValueError("Cloudinary files are written with save(), not open().")
        response = self._http.request("GET", self.url(name), preload_content=True)
        if response.status == 404:
            raise FileNotFoundError(name)
        if response.status >= 400:
            raise OSError(f"Cloudinary answered {response.status} for {name}")
        return File(BytesIO(response.data), name=name)

    def _resource(self, name: str) -> dict | None:
        try:
            return cloudinary.api.resource(
                self.public_id(name), resource_type=RESOURCE_TYPE, timeout=self.timeout
            )
        except cloudinary.exceptions.NotFound:
            return None

    def exists(self, name: str) -> bool:
        return self._resource(name) is not None

    def delete(self, name: str) -> None:
        if not name:
            raise ValueError("The name must be given to delete().")
        cloudinary.uploader.destroy(
            self.public_id(name),
            resource_type=RESOURCE_TYPE,
            invalidate=True,
            timeout=self.timeout,
        )

    def size(self, name: str) -> int:
        resource = self._resource(name)
        if resource is None:
            raise FileNotFoundError(name)
        return int(resource["bytes"])

    def url(self, name: str) -> str:
        url, _ = cloudinary.utils.cloudinary_url(
            self.public_id(name),
            resource_type=RESOURCE_TYPE,
            format=self._format(name),
        )
        return url

    def listdir(self, path: str):
        raise NotImplementedError("Cloudinary storage does not list folders.")
