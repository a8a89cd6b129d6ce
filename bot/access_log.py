"""The web server's access log without personal data.

aiohttp's default access log writes the client's IP address, user agent and full path for every
request. Browsers open the evaluation form and calendar links from people's own devices, so that
would log their IP addresses (personal data) and the signed tokens in those links (which work as
passwords until they expire). This logger writes the method, the route's pattern (``/evaluate/{token}``,
never the token), the status and the time taken.
"""
from __future__ import annotations

from aiohttp.abc import AbstractAccessLogger


class PrivateAccessLogger(AbstractAccessLogger):
    def log(self, request, response, time: float) -> None:
        self.logger.info("%s %s %s %.0f ms", request.method, route_of(request), response.status, time * 1000)


def route_of(request) -> str:
    """The matched route's pattern; a path no route matched is not repeated (it could be anything)."""
    try:
        resource = request.match_info.route.resource
    except Exception:
        resource = None
    canonical = getattr(resource, "canonical", None)
    return canonical if isinstance(canonical, str) and canonical else "(no route)"
