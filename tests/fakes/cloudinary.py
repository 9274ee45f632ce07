"""A fake Cloudinary: the Upload API (upload, destroy) and delivery URLs, on 127.0.0.1.

Point the real SDK at it with CLOUDINARY_URL=cloudinary://KEY:SECRET@CLOUD?upload_prefix=<url>&secure=false
&cname=127.0.0.1:<port> (see `cloudinary_url`). Requests are checked like Cloudinary does: the cloud name, the API
key and the request signature (the API secret). Public ids follow Cloudinary's rules for `use_filename`:
folder/name_<6 random characters>, keeping the extension for raw files only. Files are kept in `files`.
"""

from __future__ import annotations

import mimetypes
import os
import re
import secrets
import time
from email import policy
from email.parser import BytesParser

from cloudinary.utils import api_sign_request

from .server import FakeServer, Request, Response

_API = re.compile(r"^/v1_1/(?P<cloud>[^/]+)/(?P<type>image|raw|video)/(?P<action>upload|destroy)$")
_DELIVERY = re.compile(r"^/(?P<cloud>[^/]+)/(?P<type>image|raw|video)/upload/(?:v\d+/)?(?P<public_id>.+)$")


class FakeCloudinary(FakeServer):
    def __init__(self, cloud: str = "sachet-test", api_key: str = "123456789012345", api_secret: str = "fake-secret"):
        super().__init__()
        self.cloud, self.api_key, self.api_secret = cloud, api_key, api_secret
        self.files: dict[tuple[str, str], tuple[bytes, str]] = {}  # (resource type, public id) -> (data, filename)

    @property
    def cloudinary_url(self) -> str:
        return (f"cloudinary://{self.api_key}:{self.api_secret}@{self.cloud}?upload_prefix={self.url}"
                f"&secure=false&cname=127.0.0.1:{self.port}")

    def stored(self, resource_type: str) -> list[str]:
        return sorted(public_id for kind, public_id in self.files if kind == resource_type)

    # Scripted answers --------------------------------------------------------------------------------------
    @staticmethod
    def server_error() -> Response:
        return Response(500, {"error": {"message": "General Error"}})

    # Serving -----------------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        api = _API.match(request.path)
        if api and request.method == "POST":
            return self._api(request, api["cloud"], api["type"], api["action"])
        delivery = _DELIVERY.match(request.path)
        if delivery and request.method == "GET" and delivery["cloud"] == self.cloud:
            stored = self.files.get((delivery["type"], delivery["public_id"]))
            if stored is None:
                return Response(404, b"", headers={"Content-Type": "text/html"})
            data, filename = stored
            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            return Response(200, data, headers={"Content-Type": content_type})
        return Response(404, {"error": {"message": "Not found"}})

    def _api(self, request: Request, cloud: str, resource_type: str, action: str) -> Response:
        if cloud != self.cloud:
            return Response(401, {"error": {"message": f"Invalid cloud_name {cloud}"}})
        fields, upload = _multipart(request)
        if fields.pop("api_key", None) != self.api_key:
            return Response(401, {"error": {"message": "Invalid api_key"}})
        signature = fields.pop("signature", None)
        if signature != api_sign_request(fields, self.api_secret):
            return Response(401, {"error": {"message": "Invalid Signature"}})
        if action == "destroy":
            found = self.files.pop((resource_type, fields["public_id"]), None)
            return Response(200, {"result": "ok" if found else "not found"})
        if upload is None:
            return Response(400, {"error": {"message": "Missing required parameter - file"}})
        filename, data = upload
        stem, extension = os.path.splitext(os.path.basename(filename))
        use_filename = fields.get("use_filename") in ("1", "true")
        name = f"{stem}_{secrets.token_hex(3)}" if use_filename else secrets.token_hex(10)
        if resource_type == "raw":
            name += extension
        public_id = f"{fields['folder']}/{name}" if fields.get("folder") else name
        self.files[(resource_type, public_id)] = (data, filename)
        version = int(time.time())
        url = f"{self.url}/{self.cloud}/{resource_type}/upload/v{version}/{public_id}"
        return Response(200, {
            "public_id": public_id, "version": version, "resource_type": resource_type, "type": "upload",
            "format": extension.lstrip(".").lower(), "bytes": len(data), "url": url, "secure_url": url,
            "original_filename": stem, "tags": fields.get("tags", "").split(",") if fields.get("tags") else [],
        })


def _multipart(request: Request) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """Form fields (strings) and the uploaded file (filename, bytes) of a multipart/form-data body."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.body
    )
    fields: dict[str, str] = {}
    upload = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        if name == "file":
            upload = (part.get_filename() or "file", data)
        else:
            fields[name] = data.decode()
    return fields, upload
