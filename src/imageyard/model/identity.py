"""Keystone's side of the inventory: the projects that may own images.

Concepts: Glance records an image's ``owner`` as a Keystone project id and never checks it
again, so a project deleted in Keystone leaves its images behind with an owner nobody can act
as. ``Project`` is what ``GET /v3/projects`` says about one project. The inventory holds the
projects only when Keystone let the collector list them; whether the list is whole is the
``keystone`` source's status and gaps, never the list's length.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Project:
    """One Keystone project."""

    id: str
    name: str = ""
    domain_id: str = ""
    enabled: bool = True
