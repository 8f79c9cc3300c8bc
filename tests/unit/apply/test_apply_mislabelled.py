"""convert-to-raw of an image labelled raw holding qcow2 data, against an in-memory Glance."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
from fake_ops import FakeGlance
from plan_support import RAW_IN_CEPH
from test_apply_convert import SIZE, _apply, _qcow2
from test_plan_mislabelled import QCOW2, _with_header

from imageyard.apply.actions.convert import MARKER
from imageyard.plan import PlanPolicy, make_plan


def test_a_mislabelled_image_is_read_as_qcow2_and_its_replacement_is_real_raw(
    tmp_path: Path,
) -> None:
    qcow2, raw = _qcow2(tmp_path)
    inv = _with_header(QCOW2)
    digest = hashlib.sha512(qcow2).hexdigest()
    images = tuple(
        replace(i, size=len(qcow2), virtual_size=len(qcow2), os_hash_value=digest)
        if i.id == RAW_IN_CEPH
        else i
        for i in inv.images
    )
    inv = replace(inv, images=images)
    glance = FakeGlance(inv.images)
    glance.data[RAW_IN_CEPH] = qcow2
    plan = make_plan(inv, PlanPolicy(place=False, images=(RAW_IN_CEPH,)))
    outcome = _apply(glance, plan)
    assert outcome.complete  # type: ignore[attr-defined]
    (new,) = [d for d in glance.images.values() if d.get(MARKER) == RAW_IN_CEPH]
    assert glance.data[new["id"]] == raw and len(raw) == SIZE
    assert glance.images[RAW_IN_CEPH]["os_hidden"] is True
