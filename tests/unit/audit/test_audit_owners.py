"""image-owner-deleted: unknown unless both Glance's images and Keystone's projects are whole."""

from __future__ import annotations

from dataclasses import replace

from audit_support import audit
from test_cow_fixture_builder import collected, owned, raw_image, with_projects

from imageyard.model.gap import Gap, SourceStatus

RULE = "image-owner-deleted"


def test_unknown_when_keystone_was_not_read() -> None:
    result = audit(collected(owned(raw_image(), "gone")), RULE)
    assert not result.findings
    (unknown,) = result.unknowns
    assert str(unknown.resource) == "source keystone"
    assert "source keystone did not run" in unknown.reason


def test_unknown_when_projects_were_refused() -> None:
    refused = Gap("keystone", "projects", "GET /v3/projects: HTTP 403 Forbidden")
    inv = replace(
        collected(owned(raw_image(), "gone")),
        sources=(*collected().sources, SourceStatus("keystone", False, 0)),
        gaps=(refused,),
    )
    result = audit(inv, RULE)
    assert not result.findings
    (unknown,) = result.unknowns
    assert "HTTP 403" in unknown.reason


def test_an_image_without_owner_is_not_judged() -> None:
    result = audit(with_projects(collected(raw_image()), "proj-a"), RULE)
    assert not result.findings and not result.unknowns
