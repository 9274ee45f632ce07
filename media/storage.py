"""Where uploads and posters are stored: the local disk by default, Cloudinary when CLOUDINARY_URL is set.

django-cloudinary-storage 0.3 works with Django 5.2's STORAGES setting (it never reads DEFAULT_FILE_STORAGE), but
as shipped it calls Cloudinary without time-outs, takes its credentials from the process environment only, and
stores every file as an "image". Cloudinary rejects audio sent as an image, and keeps PDFs as they are only as
"raw" files. The small subclasses below pass the settings' CLOUDINARY_URL and a time-out on every call and turn
network failures into StorageUnavailable; `document_storage` and `audio_storage` are the `storage=` callables for
FileFields that hold PDFs and voice notes. This module is the only one that talks to Cloudinary.
"""

from __future__ import annotations

import functools
import os
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage, default_storage
from django.utils.functional import LazyObject, empty

IMAGE = "image"
RAW = "raw"
VIDEO = "video"

# Options of a CLOUDINARY_URL that shape delivery URLs (the rest are credentials or API options).
_URL_OPTIONS = ("cloud_name", "secure", "cname", "secure_distribution", "private_cdn", "cdn_subdomain",
                "secure_cdn_subdomain")


class StorageUnavailable(OSError):
    """The storage could not be reached or answered with a server error: worth trying again later."""


@functools.lru_cache(maxsize=4)
def cloudinary_options(url: str) -> dict:
    """cloud_name, api_key, api_secret and any query options (upload_prefix, secure, cname, ...) of a
    cloudinary://KEY:SECRET@CLOUD URL, as the cloudinary SDK takes them per call."""
    parts = urlsplit(url)
    if parts.scheme != "cloudinary" or not parts.hostname or not parts.username or not parts.password:
        raise ImproperlyConfigured("CLOUDINARY_URL must look like cloudinary://API_KEY:API_SECRET@CLOUD_NAME")
    options: dict = {"cloud_name": parts.hostname, "api_key": unquote(parts.username),
                     "api_secret": unquote(parts.password)}
    if parts.path.strip("/"):
        options.update(private_cdn=True, secure_distribution=parts.path.strip("/"))
    for key, value in parse_qsl(parts.query):
        options[key] = {"true": True, "false": False}.get(value.lower(), value)
    return options


def _cloudinary_classes() -> dict[str, type[Storage]]:
    # Imported on first use: cloudinary_storage reads its credentials when imported.
    import cloudinary
    import cloudinary.exceptions
    import cloudinary.uploader
    import requests
    from cloudinary_storage.storage import MediaCloudinaryStorage
    from django.core.files.base import ContentFile

    # Network failures, Cloudinary's 5xx and its rate limit are transient; a refused request is not.
    transient_errors = (cloudinary.exceptions.GeneralError, cloudinary.exceptions.RateLimited)

    class CloudinaryStorage(MediaCloudinaryStorage):
        def _api_options(self) -> dict:
            return {**cloudinary_options(settings.CLOUDINARY_URL), "timeout": settings.MEDIA_STORAGE_TIMEOUT}

        def _call(self, function, *args, **options):
            try:
                return function(*args, resource_type=self._get_resource_type(args[0]), **options,
                                **self._api_options())
            except cloudinary.exceptions.Error as error:
                if type(error) is cloudinary.exceptions.Error or isinstance(error, transient_errors):
                    raise StorageUnavailable(f"Cloudinary did not answer: {error}") from error
                raise

        def _upload(self, name, content):
            options = {"use_filename": True, "tags": self.TAG}
            folder = os.path.dirname(name)
            if folder:
                options["folder"] = folder
            return self._call(cloudinary.uploader.upload, content, **options)

        def delete(self, name):
            # "not found" is as good as deleted: deleting twice must not fail.
            return self._call(cloudinary.uploader.destroy, name, invalidate=True)["result"] in ("ok", "not found")

        def _get_url(self, name):
            options = cloudinary_options(settings.CLOUDINARY_URL)
            resource = cloudinary.CloudinaryResource(
                self._prepend_prefix(name), default_resource_type=self._get_resource_type(name)
            )
            return resource.build_url(**{key: options[key] for key in _URL_OPTIONS if key in options})

        def _get(self, name, method):
            try:
                response = requests.request(method, self._get_url(name), timeout=settings.MEDIA_STORAGE_TIMEOUT)
            except requests.RequestException as error:
                raise StorageUnavailable(f"Cloudinary did not answer for {name}: {error}") from error
            if response.status_code == 404:
                raise FileNotFoundError(name)
            if response.status_code in (420, 429) or response.status_code >= 500:
                raise StorageUnavailable(f"Cloudinary answered {response.status_code} for {name}")
            if response.status_code != 200:
                # 401 for PDFs on accounts where "Allow delivery of PDF and ZIP files" is off.
                raise OSError(f"Cloudinary refused {name} with {response.status_code}")
            return response

        def _open(self, name, mode="rb"):
            file = ContentFile(self._get(name, "GET").content, name=name)
            file.mode = mode
            return file

        def exists(self, name):
            try:
                self._get(name, "HEAD")
            except FileNotFoundError:
                return False
            return True

        def size(self, name):
            return int(self._get(name, "HEAD").headers["content-length"])

    return {
        IMAGE: type("CloudinaryImageStorage", (CloudinaryStorage,), {"RESOURCE_TYPE": IMAGE}),
        RAW: type("CloudinaryRawStorage", (CloudinaryStorage,), {"RESOURCE_TYPE": RAW}),
        VIDEO: type("CloudinaryVideoStorage", (CloudinaryStorage,), {"RESOURCE_TYPE": VIDEO}),
    }


@functools.cache
def cloudinary_storage_class(resource_type: str) -> type[Storage]:
    return _cloudinary_classes()[resource_type]


def cloudinary_image_storage() -> Storage:
    """The STORAGES["default"] backend when CLOUDINARY_URL is set (photos): see settings."""
    return cloudinary_storage_class(IMAGE)()


class _StorageFor(LazyObject):
    """The storage for one kind of file: Cloudinary's when CLOUDINARY_URL is set, else the default storage.
    Chosen on first use and again whenever the settings change (tests switch between the two)."""

    def __init__(self, resource_type: str):
        super().__init__()
        self.__dict__["resource_type"] = resource_type

    def _setup(self):
        if settings.CLOUDINARY_URL:
            self._wrapped = cloudinary_storage_class(self.__dict__["resource_type"])()
        else:
            self._wrapped = default_storage

    def reset(self) -> None:
        self._wrapped = empty


_DOCUMENTS = _StorageFor(RAW)
_AUDIO = _StorageFor(VIDEO)


def document_storage() -> Storage:
    """For FileFields holding PDFs (posters): Cloudinary "raw" files, so the PDF is served as it was stored."""
    return _DOCUMENTS


def audio_storage() -> Storage:
    """For FileFields holding audio (voice notes): Cloudinary keeps audio under its "video" type."""
    return _AUDIO


def absolute_url(field) -> str | None:
    """An absolute URL for a stored file (for messages, feeds and link previews): local storage gives a path,
    Cloudinary a full URL. None for an empty field."""
    return urljoin(settings.SITE_URL + "/", field.url) if field else None


def storage_kind(storage) -> str:
    """"image", "raw" or "video": which of this module's storages a field uses, so a task can find it again."""
    if storage is _DOCUMENTS:
        return RAW
    if storage is _AUDIO:
        return VIDEO
    return IMAGE


def storage_of_kind(kind: str) -> Storage:
    return {RAW: _DOCUMENTS, VIDEO: _AUDIO}.get(kind, default_storage)


def reset_storages(*, setting: str, **kwargs) -> None:
    """setting_changed receiver (wired in MediaConfig.ready): choose the storages again."""
    if setting in ("CLOUDINARY_URL", "STORAGES", "MEDIA_ROOT"):
        _DOCUMENTS.reset()
        _AUDIO.reset()


def fetch_url(url: str, *, max_bytes: int) -> bytes:
    """A file at an http(s) address (an old app's Cloudinary photo), at most `max_bytes`; raises StorageUnavailable
    when it cannot be had (network error, not found, too large)."""
    import requests

    try:
        with requests.get(url, timeout=settings.MEDIA_STORAGE_TIMEOUT, stream=True, allow_redirects=False) as answer:
            if answer.status_code != 200:
                raise StorageUnavailable(f"HTTP {answer.status_code} for {url}")
            data = answer.raw.read(max_bytes + 1, decode_content=True)
    except requests.RequestException as error:
        raise StorageUnavailable(f"{type(error).__name__} for {url}") from None
    if len(data) > max_bytes:
        raise StorageUnavailable(f"larger than {max_bytes} bytes: {url}")
    return data
