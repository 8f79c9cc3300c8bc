"""The audit JSON of cow-not-eligible findings: documents built from the part a shape's
findings share equal the documents built finding by finding.

The writer builds the fields that findings of one rule, status, severity, confidence, cause
and mute share once and fills in each finding's own (resource, message, evidence,
remediation, action). On random inventories (those of ``test_cow_classes``), in batches of
every size, its text must be ``json.dumps`` of the documents made one finding at a time.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cow_classes import CONSUMERS, inventories

from imageyard import secrets
from imageyard.audit.cow import BootPath, boot_path
from imageyard.audit.cow.table import VerdictTable
from imageyard.audit.engine import AuditResult
from imageyard.audit.rule import AuditContext
from imageyard.audit.rules.cow_eligibility import _per_consumer
from imageyard.model.finding import Finding, Unknown
from imageyard.model.inventory import Inventory
from imageyard.report import json_format
from imageyard.report.view import result_document

RBD_CONSUMERS = tuple(c for c in CONSUMERS if c.rbd and c.fsid is not None)


def _outcomes(inv: Inventory) -> tuple[list[Finding], list[Unknown]]:
    inv.derived("cow.verdicts", lambda: VerdictTable(inv, RBD_CONSUMERS))
    found = [o for c in RBD_CONSUMERS for o in _per_consumer(inv, c)]
    findings = [o for o in found if isinstance(o, Finding)]
    return findings, [o for o in found if isinstance(o, Unknown)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(), st.integers(1, 5), st.integers(2, 12))
def test_shared_documents_equal_documents_made_one_by_one(
    inv: Inventory, batch: int, cached: int
) -> None:
    findings, unknowns = _outcomes(inv)
    result = AuditResult(AuditContext().release, (), tuple(findings), tuple(unknowns))
    expected = json.dumps(result_document(result), indent=2, sort_keys=True, ensure_ascii=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_format, "BATCH", batch)
        patch.setattr(json_format, "CACHED", cached)
        assert json_format.render(result) == expected + "\n"


_NAMES = st.lists(
    st.sampled_from(["a", " ", "=", "token", "s3://", "u:p@h", '"', "\\", "\x01", "é", "%s"]),
    max_size=4,
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(), st.lists(_NAMES, min_size=14, max_size=14), st.integers(1, 5))
def test_findings_of_images_of_any_name_are_written_through_the_policy(
    inv: Inventory, names: list[str], batch: int
) -> None:
    images = tuple(replace(i, name=n or None) for i, n in zip(inv.images, names, strict=False))
    findings, unknowns = _outcomes(replace(inv, images=images))
    result = AuditResult(AuditContext().release, (), tuple(findings), tuple(unknowns))
    doc = secrets.scrub_data([result_document(result)])[0]
    expected = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_format, "BATCH", batch)
        assert json_format.render(result) == expected + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_a_consumer_s_results_follow_the_catalog_one_per_image_that_does_not_clone(
    inv: Inventory,
) -> None:
    table = inv.derived("cow.verdicts", lambda: VerdictTable(inv, RBD_CONSUMERS))
    for consumer in RBD_CONSUMERS:
        verdicts = [(i, boot_path(i, consumer, inv)) for i in inv.images if i.is_active]
        expected = [
            (f"image {i.id}@{consumer.name}", v.path is BootPath.UNKNOWN)
            for i, v in verdicts
            if v.path is not BootPath.CLONE
        ]
        found = _per_consumer(inv, consumer)
        assert isinstance(found, list)  # NOTE: made at once, not one result at a time
        assert [(str(o.resource), isinstance(o, Unknown)) for o in found] == expected
        assert all(table.of(i, consumer) == v for i, v in verdicts)
