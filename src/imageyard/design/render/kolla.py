"""``--render kolla``: globals.yml switches plus files under /etc/kolla/config/.

Concepts: kolla-ansible enables Glance backends with ``glance_backend_*`` switches and the
image cache with ``enable_glance_image_cache`` / ``glance_cache_max_size``; everything else
goes into INI override files that kolla merges over its own (``/etc/kolla/config/glance/
glance-api.conf``, ``.../glance/glance-image-import.conf``, ``.../nova.conf``,
``.../cinder.conf``). Kolla names the stores itself, so the override re-states
``enabled_backends`` with the design's ids: check they match kolla's generated ones.
"""

from __future__ import annotations

from imageyard.design.diff import FileDiff
from imageyard.design.model import Design
from imageyard.design.render.common import cannot, fragment, removals

TOOL = "kolla-ansible"
_SWITCH = {
    "rbd": "glance_backend_ceph",
    "file": "glance_backend_file",
    "swift": "glance_backend_swift",
    "s3": "glance_backend_s3",
}
_FILES = {
    "glance-api.conf": "/etc/kolla/config/glance/glance-api.conf",
    "glance-image-import.conf": "/etc/kolla/config/glance/glance-image-import.conf",
    "nova.conf": "/etc/kolla/config/nova.conf",
    "cinder.conf": "/etc/kolla/config/cinder.conf",
}


def _globals(design: Design) -> list[str]:
    types = {s.type for s in design.stores}
    lines = ["# ---- /etc/kolla/globals.yml"]
    for t, var in _SWITCH.items():
        lines.append(f'{var}: "{"yes" if t in types else "no"}"')
    cache = design.decision("cache.glance_api")
    on = cache is not None and cache.choice.startswith("enabled")
    lines.append(f'enable_glance_image_cache: "{"yes" if on else "no"}"')
    size = next((c.value for c in design.changes if c.key == "image_cache_max_size"), None)
    if on and size:
        lines.append(f'glance_cache_max_size: "{size}"')
    return lines


def _targets(design: Design, file: str) -> list[str]:
    found: list[str] = []
    for c in design.changes_for(file):
        if c.target not in found:
            found.append(c.target)
    return found


def _path(file: str, target: str, several: bool) -> str:
    if not several:
        return _FILES[file]
    service = file.split(".")[0]
    host = target.rsplit("/", 1)[-1] or target
    return f"/etc/kolla/config/{service}/{host}/{file}"


def _files(design: Design) -> list[str]:
    out: list[str] = []
    for file in _FILES:
        targets = _targets(design, file)
        for target in targets:
            changes = tuple(c for c in design.changes_for(file) if c.target == target)
            if any(c.value is not None for c in changes):
                path = _path(file, target, len(targets) > 1)
                out += ["", f"# ---- {path}", fragment(changes).rstrip()]
    return out


def render(design: Design, diffs: tuple[FileDiff, ...]) -> str:
    out = _globals(design) + _files(design)
    missing = removals(design)
    if sum(1 for s in design.stores if s.type == "rbd") > 1:
        missing.append(
            "several Ceph clusters need glance_ceph_backends entries (per-cluster "
            "keyrings and conf files); check the generated store ids"
        )
    if len(_targets(design, "nova.conf")) > 1:
        missing.append(
            "compute groups are not hosts: rename each per-group nova.conf directory to "
            "the hosts of that group"
        )
    return "\n".join(out) + "\n\n" + cannot(missing)
