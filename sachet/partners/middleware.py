"""One access-log line per partner API request, with the key (its prefix, never the key), and the key's counter."""

from __future__ import annotations

import logging
import time

from .keys import count_use

logger = logging.getLogger("sachet.partners.access")


class AccessLogMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        key = getattr(request, "partner_key", None)
        if key is not None:
            count_use(key)
            logger.info("partner request key=%s id=%s domain=%s %s %s status=%s ms=%d", key.prefix, key.pk,
                        key.domain, request.method, request.path, response.status_code,
                        (time.monotonic() - started) * 1000)
        return response
