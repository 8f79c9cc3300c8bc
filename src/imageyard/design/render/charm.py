"""``--render charm``: charm-glance configuration (``juju config glance ...``).

Concepts: charm-glance derives glance-api.conf from relations and a few options:
``expose-image-locations`` (show_image_direct_url), ``image-conversion`` (the import
plugin to raw) and ``rbd-pool-name``. Store ids, descriptions, weights and the default
store are fixed by the charm, so most of the layout cannot be expressed; Nova and Cinder
belong to other charms.
"""

from __future__ import annotations

from imageyard.design.diff import FileDiff
from imageyard.design.model import Design
from imageyard.design.render.common import by_hand, cannot

TOOL = "charm-glance"


def _options(design: Design) -> list[str]:
    opts = []
    direct = next((c.value for c in design.changes if c.key == "show_image_direct_url"), None)
    if direct is not None:
        opts.append(f"expose-image-locations={direct.lower()}")
    plugin = design.decision("format.image_conversion")
    if plugin is not None:
        opts.append(f"image-conversion={'false' if plugin.choice == 'off' else 'true'}")
    default = design.default_store
    if default is not None and default.type == "rbd" and default.pool:
        opts.append(f"rbd-pool-name={default.pool}")
    return opts


def render(design: Design, diffs: tuple[FileDiff, ...]) -> str:
    opts = _options(design)
    out = ["# ---- juju"]
    if opts:
        out.append("juju config glance " + " ".join(opts))
    missing = [
        "store ids, store_description and weight (the charm names its stores)",
        "the choice of default store (the charm picks ceph > swift > s3 > cinder > local)",
    ]
    if sum(1 for s in design.stores if s.type == "rbd") > 1:
        missing.append("a second Ceph cluster as another Glance store")
    keys = sorted(
        {
            f"{c.file} [{c.section}] {c.key}"
            for c in design.changes
            if c.file != "glance-api.conf" or c.section not in {s.id for s in design.stores}
        }
    )
    missing += [
        f"{k}"
        for k in keys
        if "show_image_direct_url" not in k
        and "image_import_plugins" not in k
        and "output_format" not in k
    ]
    return "\n".join(out) + "\n\n" + cannot(missing + by_hand(design))
