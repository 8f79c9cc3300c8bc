"""Lab-only paste filter for Glance: no Keystone, identity from headers.

Requests that carry no ``X-Roles`` header get an admin identity (roles admin,member,reader,
project ``lab-admin-project``, user ``lab-admin``); requests with ``X-Roles`` keep their
headers and get ``X-Identity-Status: Confirmed`` if missing. Glance's own ContextMiddleware,
next in the pipeline, then builds the request context from these headers. Never deploy this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def filter_factory(global_conf: dict[str, str], **local_conf: str) -> Callable[[WsgiApp], WsgiApp]:
    defaults = {
        "HTTP_X_IDENTITY_STATUS": "Confirmed",
        "HTTP_X_ROLES": local_conf.get("roles", "admin,member,reader"),
        "HTTP_X_PROJECT_ID": local_conf.get("project_id", "lab-admin-project"),
        "HTTP_X_USER_ID": local_conf.get("user_id", "lab-admin"),
    }

    def _filter(app: WsgiApp) -> WsgiApp:
        def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            if "HTTP_X_ROLES" not in environ:
                environ.update(defaults)
            else:
                environ.setdefault("HTTP_X_IDENTITY_STATUS", "Confirmed")
            return app(environ, start_response)

        return middleware

    return _filter
