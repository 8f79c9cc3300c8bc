"""``--render operator``: glance-operator ``customServiceConfig`` for the Glance template.

Concepts: openstack-k8s-operators' glance-operator merges ``customServiceConfig`` (INI
text) into every glanceAPI's config; separate ``glanceAPIs`` give the internal/external
split (and edge APIs per availability zone). The glance-api.conf and import changes go in
as one fragment; Nova and Cinder are configured through their own resources.
"""

from __future__ import annotations

from imageyard.design.diff import FileDiff
from imageyard.design.model import Design
from imageyard.design.render.common import cannot, fragment, removals

TOOL = "glance-operator"


def render(design: Design, diffs: tuple[FileDiff, ...]) -> str:
    changes = tuple(
        c for c in design.changes if c.file in ("glance-api.conf", "glance-image-import.conf")
    )
    body = fragment(changes, indent="        ").rstrip()
    out = [
        "# ---- OpenStackControlPlane (spec.glance.template)",
        "spec:",
        "  glance:",
        "    template:",
        "      customServiceConfig: |",
        body,
    ]
    missing = removals(design)
    missing += sorted(
        {
            f"{c.file} [{c.section}] {c.key} (set it in the Nova/Cinder resources)"
            for c in design.changes
            if c.file in ("nova.conf", "cinder.conf")
        }
    )
    missing.append(
        "the internal/external API split: declare two glanceAPIs, only the "
        "internal one with show_image_direct_url"
    )
    return "\n".join(out) + "\n\n" + cannot(missing)
