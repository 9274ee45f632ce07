"""A `Server-Timing` header with the request's time in Django and in SQL (`app;dur=`, `sql;dur=`, milliseconds),
for bench/pages.py. On only when SERVER_TIMING is set: it tells the world how long queries take."""

from __future__ import annotations

import time

from django.db import connections


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        spent = [0.0]

        def timed(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent[0] += time.perf_counter() - start

        start = time.perf_counter()
        with connections["default"].execute_wrapper(timed):
            response = self.get_response(request)
        total = time.perf_counter() - start
        response["Server-Timing"] = f"app;dur={total * 1000:.2f}, sql;dur={spent[0] * 1000:.2f}"
        return response
