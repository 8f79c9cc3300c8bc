"""``--render operator``: glance-operator ``glanceAPIs``, each with its ``customServiceConfig``.

Concepts: glance-operator writes ``00-config.conf`` for every GlanceAPI itself, with
``show_image_direct_url`` and ``show_multiple_locations`` on for the internal, single and
edge API types and off for the external one, and ``image_import_plugins`` = image_conversion
only on the external API when an rbd backend is configured (``no_op`` elsewhere). A GlanceAPI
with its own ``customServiceConfig`` does not inherit the top-level one. So the renderer
never writes the location options (the ``split`` type keeps them off the public API,
OSSN-0090), gives each site's API its own complete fragment (``type: edge`` for edge sites),
and leaves the import plugin to the operator's external API. Field names and API types are
those of ``data/deploy_tools.py`` (extracted from glance-operator).
"""

from __future__ import annotations

from imageyard.design.data.deploy_tools import OPERATOR_DEFAULT_OPTIONS
from imageyard.design.diff import FileDiff
from imageyard.design.model import Change, Design
from imageyard.design.render.common import by_hand, cannot, fragment, removals, targets

TOOL = "glance-operator"
API = "glance-api.conf"
_PER_TYPE = frozenset(
    {("DEFAULT", "show_image_direct_url"), ("DEFAULT", "show_multiple_locations")}
)
_IMPORT = frozenset(
    {("image_import_opts", "image_import_plugins"), ("image_conversion", "output_format")}
)
_INDENT = " " * 12


def _mine(design: Design, target: str) -> tuple[Change, ...]:
    return tuple(
        c
        for c in design.changes_for(API)
        if c.target == target and (c.section, c.key) not in _PER_TYPE
    )


def _api_block(name: str, api_type: str, changes: tuple[Change, ...]) -> list[str]:
    return [
        f"        {name}:",
        f"          type: {api_type}",
        "          customServiceConfig: |",
        fragment(changes, indent=_INDENT).rstrip(),
    ]


def _apis(design: Design) -> list[str]:
    out = ["      glanceAPIs:"]
    for target in targets(design, API) or [""]:
        out += _api_block(target or "default", _type(design, target), _mine(design, target))
    return out


def _type(design: Design, target: str) -> str:
    """``split`` (internal + external) for the central API, ``edge`` for another site's."""
    api = next((a for a in design.apis if a.target == target), None)
    central = design.default_store
    if api is None or central is None or api.default == central.id:
        return "split"
    return "edge"


def _not_written(design: Design) -> list[str]:
    owned = {(s, k) for s, k in OPERATOR_DEFAULT_OPTIONS if (s, k) in _PER_TYPE | _IMPORT}
    found = sorted(
        {
            f"{c.file} [{c.section}] {c.key} = {c.value}"
            for c in design.changes
            if (c.section, c.key) in owned
        }
    )
    return [
        f"{item}: glance-operator sets it per API type (locations on internal/single/edge, "
        "off on external; image_conversion on the external API with an rbd backend)"
        for item in found
    ]


def render(design: Design, diffs: tuple[FileDiff, ...]) -> str:
    out = [
        "# ---- OpenStackControlPlane (spec.glance.template)",
        "# merge each customServiceConfig below into that API's current one, if it has one",
        "spec:",
        "  glance:",
        "    template:",
        *_apis(design),
    ]
    missing = removals(design) + by_hand(design) + _not_written(design)
    missing += sorted(
        {
            f"{c.file} [{c.section}] {c.key} (set it in the Nova/Cinder resources)"
            for c in design.changes
            if c.file in ("nova.conf", "cinder.conf")
        }
    )
    return "\n".join(out) + "\n\n" + cannot(missing)
