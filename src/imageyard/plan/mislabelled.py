"""Conversion of images labelled raw whose data is another format (qcow2, vmdk ...).

Concepts: the audit rule ``raw-label-mismatch`` owns the finding (from the Ceph collector's
header read of the image's RBD data); the planner asks it (``mislabelled``) which images
these are and plans their ``convert-to-raw`` into the rbd store that holds them, with the
detected format as the step's ``source_format`` (apply reads the source as that format, not
as its label). Such an image is cloned copy-on-write, so the boot paths do not single it
out: the guest sees the container as its disk. A qcow2 header naming a backing file or an
external data file (``qcow2-backing-file``'s test) would make qemu open another file: that
image is not converted and is listed in ``unplaced`` with the reason. An image whose header
was not read is not planned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imageyard.audit.rules.format_images import external_file, mislabelled, rbd_store_ids
from imageyard.model.plan import Unplaced
from imageyard.plan.policy import PlanPolicy

if TYPE_CHECKING:
    from imageyard.plan.generate import _Builder


def mislabelled_actions(b: _Builder, policy: PlanPolicy) -> None:
    """Plan the conversion of every active, selected image labelled raw holding other data."""
    from imageyard.plan.generate import _convert

    for image in b.inv.images:
        found = mislabelled(b.inv, image) if image.is_active and policy.selects(image) else None
        stores = rbd_store_ids(image, b.inv)
        if found is None or not stores or image.id in b.cold:
            continue
        loc, header = found
        where = f"{loc.pool}/{loc.image}"
        outside = external_file(header)
        if outside is not None:
            why = f"not convertible: the qcow2 header of {where} names {outside}"
            b.unplaced.append(Unplaced(image.id, image.name or "", stores[0], 0, why))
            continue
        why = f"labelled raw but the header of {where} is {header.format}: cloned as raw"
        _convert(b, image, stores[0], why, policy, header.format)
