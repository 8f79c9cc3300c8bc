"""The Keystone collector: the projects that exist, so images of deleted owners show.

Concepts: one ``GET /v3/projects`` on the identity service of the same cloud as Glance,
through the shared OpenStack seam. Keystone answers with every project in one body unless a
``list_limit`` cuts it (``"truncated": true``) or a release pages it (``links.next``, which
is followed). Listing projects needs an admin (or a system/domain reader); anyone else gets
403, recorded as a gap: then which image owners still exist is unknown, and no later stage
may call an owner deleted. A list cut short is a gap too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from imageyard.collect.base import Progress
from imageyard.collect.openstack.http import HttpError, JsonHttp
from imageyard.model.gap import Gap, SourceStatus
from imageyard.model.identity import Project
from imageyard.model.inventory import Inventory

SOURCE = "keystone"
MAX_PAGES = 10_000  # a loop guard: a server whose next link never ends


@dataclass(frozen=True)
class _Listing:
    projects: tuple[Project, ...]
    error: str | None = None


@dataclass(frozen=True)
class KeystoneCollector:
    """Reads the project list of one Keystone."""

    http: JsonHttp
    name: str = SOURCE

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        progress.start(self.name, total=None)
        listing = _list_projects(self.http)
        gaps = () if listing.error is None else (Gap(SOURCE, "projects", listing.error),)
        status = SourceStatus(
            source=self.name,
            complete=listing.error is None,
            items=len(listing.projects),
            detail=f"{len(listing.projects)} projects",
        )
        progress.advance(self.name, len(listing.projects))
        progress.done(self.name, status)
        return replace(
            inventory,
            projects=inventory.projects + listing.projects,
            sources=(*inventory.sources, status),
            gaps=inventory.gaps + gaps,
        )


def _list_projects(http: JsonHttp) -> _Listing:
    projects: list[Project] = []
    path: str | None = "/projects"
    for _ in range(MAX_PAGES):
        if path is None:
            return _Listing(tuple(projects))
        try:
            body = http.get_json(path)
            projects += [project_from_api(p) for p in body["projects"]]
        except HttpError as exc:
            return _Listing(tuple(projects), _refused(exc))
        except (KeyError, TypeError, ValueError) as exc:
            return _Listing(tuple(projects), f"GET /v3/projects: unreadable answer: {exc!r}")
        if body.get("truncated"):
            return _Listing(tuple(projects), _TRUNCATED)
        path = _next(body)
    return _Listing(tuple(projects), f"more than {MAX_PAGES} pages of projects")


_TRUNCATED = (
    "Keystone cut the project list short (truncated: its list_limit); "
    "projects not listed are unknown"
)


def _refused(exc: HttpError) -> str:
    text = f"GET /v3/projects: {exc.brief}"
    if exc.status == 403:
        return f"{text}; listing projects needs an admin, so which image owners exist is unknown"
    return f"{text}; which image owners exist is unknown"


def _next(body: Mapping[str, Any]) -> str | None:
    links = body.get("links")
    nxt = links.get("next") if isinstance(links, Mapping) else None
    return nxt if isinstance(nxt, str) and nxt else None


def project_from_api(raw: Mapping[str, Any]) -> Project:
    """The model of one entry of ``GET /v3/projects``."""
    return Project(
        id=str(raw["id"]),
        name=str(raw.get("name") or ""),
        domain_id=str(raw.get("domain_id") or ""),
        enabled=raw.get("enabled") is not False,
    )
