"""A community-image-sprawl finding, written when read, equals the plain finding it stands for.

``community-image-sprawl`` reports a ``SprawlFinding`` per old unused community image: it
keeps its image, its age and the run's shared part, and writes its texts when read. On the
rule's fixture, under limits that report none, some or all of its community images, each
must read exactly as the plain Finding the rule's message, evidence and cause describe, and
compare, hash, sort, copy, pickle and mute like it.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import pickle
from collections import Counter

import pytest
from audit_support import AUDIT_FIXTURES, collect_dir

from imageyard.audit.mute import Mute, apply_mutes
from imageyard.audit.rule import AuditContext
from imageyard.audit.rules.cow_shape import label
from imageyard.audit.rules.sprawl_finding import SprawlFinding
from imageyard.audit.rules.visibility import community_image_sprawl
from imageyard.model.finding import Evidence, Finding, Resource, Status
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.report.groups import finding_key

CASE = AUDIT_FIXTURES / "community-image-sprawl" / "fail-old-unused-community"


def _plain(inv: Inventory, image: Image, limit: int) -> Finding:
    """The finding the rule describes for ``image``."""
    community = [i for i in inv.images if i.visibility == "community" and i.is_active]
    owners = Counter(i.owner for i in community)
    then = datetime.date.fromisoformat((image.created_at or "")[:10])
    age = (datetime.date.fromisoformat(inv.generated_at[:10]) - then).days
    return community_image_sprawl.finding(
        Resource("image", image.id),
        f"community image {label(image)} is {age} days old and no server or volume uses "
        f"it ({len(community)} community images in all, {owners[image.owner]} of "
        f"project {image.owner})",
        Evidence.fact(f"image {image.id}: visibility community, created {image.created_at}"),
        Evidence.fact(f"snapshot taken {inv.generated_at}"),
        cause=f"community image older than {limit} days that no server or volume uses",
    )


@pytest.mark.parametrize("limit", [0, 30, 180, 1000])
def test_sprawl_findings_read_as_plain_findings(limit: int) -> None:
    inv = collect_dir(CASE)
    ctx = AuditContext(settings={"community-image-sprawl.max_age_days": str(limit)})
    made = list(community_image_sprawl(inv, ctx))
    images = {i.id: i for i in inv.images}
    assert (limit, len(made)) in ((0, 2), (30, 2), (180, 1), (1000, 0))  # some are used
    fields = [f.name for f in dataclasses.fields(Finding)]
    for finding in made:
        assert isinstance(finding, SprawlFinding)
        plain = _plain(inv, images[finding.resource.id], limit)
        assert [getattr(finding, n) for n in fields] == [getattr(plain, n) for n in fields]
        assert finding == plain and plain == finding and hash(finding) == hash(plain)
        assert finding.sort_key == plain.sort_key and finding.sort_text == plain.sort_text
        assert copy.deepcopy(finding) == plain and pickle.loads(pickle.dumps(finding)) == plain
        assert type(dataclasses.replace(finding, cause="x")) is Finding
        assert finding_key(finding) == finding_key(made[0])  # one shared part per run
    entry = Mute("community-image-sprawl", "image 1*", "known", datetime.date(2030, 1, 1), "m:1")
    muted = apply_mutes(tuple(made), (entry,), datetime.date(2026, 1, 1))
    assert [f.status for f in muted] == [
        Status.MUTED if f.resource.id.startswith("1") else Status.FAIL for f in made
    ]
