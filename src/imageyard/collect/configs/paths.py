"""Which configuration files to read, and how the files of one service instance group.

Concepts: ``ConfigPaths`` names each service instance by its *main* file (glance-api.conf,
one nova.conf per compute group, one cinder.conf per volume host, one ceph.conf per
cluster). ``overlays`` adds the files the same process reads after its main file, in load
order (``nova-compute.conf`` after ``nova.conf``, openstack-helm's ``backends.conf`` after
``cinder.conf``, a ``<project>.conf.d/*.conf`` directory sorted by name). glance-api also
reads ``glance-image-import.conf`` *before* glance-api.conf. A deployment may run several
glance-api instances (glance-operator's external and internal API pods, a separate internal
API): ``glance_api`` is the first one's main file, ``more_glance_apis`` the others'.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds whose main file may be followed by overlays (the oslo.config services).
OVERLAY_KINDS = ("glance-api", "nova", "cinder")


@dataclass(frozen=True)
class Overlay:
    """A file ``path`` of ``kind`` that the process reading ``main`` loads after it."""

    kind: str
    main: str
    path: str


@dataclass(frozen=True)
class ConfigPaths:
    """The files to read; nova, cinder and ceph may have several (compute groups, clusters)."""

    glance_api: str | None = None
    more_glance_apis: tuple[str, ...] = ()  # the other glance-api instances' main files
    glance_import: str | None = None
    glance_swift: str | None = None
    nova: tuple[str, ...] = ()
    cinder: tuple[str, ...] = ()
    ceph: tuple[str, ...] = ()
    overlays: tuple[Overlay, ...] = ()
    searched: str | None = None  # the directory discovery looked in
    notes: tuple[str, ...] = field(default=(), compare=False)

    def mains(self) -> tuple[tuple[str, str], ...]:
        """``(kind, main path)`` pairs in reading order."""
        singles = (
            ("glance-api", self.glance_api),
            ("glance-image-import", self.glance_import),
            ("glance-swift", self.glance_swift),
        )
        pairs = [(kind, path) for kind, path in singles if path is not None]
        pairs[1:1] = [("glance-api", p) for p in self.more_glance_apis if self.glance_api]
        pairs += [("nova", p) for p in self.nova]
        pairs += [("cinder", p) for p in self.cinder]
        pairs += [("ceph", p) for p in self.ceph]
        return tuple(pairs)

    def glance_apis(self) -> tuple[str, ...]:
        """Every glance-api instance's main file, the first one first."""
        return (self.glance_api, *self.more_glance_apis) if self.glance_api else ()

    def items(self) -> tuple[tuple[str, str], ...]:
        """Every ``(kind, path)`` to read: the main files, then the overlays."""
        return self.mains() + tuple((o.kind, o.path) for o in self.overlays)

    def overlays_of(self, main: str) -> tuple[str, ...]:
        """The files loaded after ``main`` by the same process, in load order."""
        return tuple(o.path for o in self.overlays if o.main == main)


def split_group(kind: str, files: tuple[str, ...]) -> tuple[str | None, tuple[Overlay, ...]]:
    """One instance given as files in load order: its main file and the overlays."""
    if not files:
        return None, ()
    main = files[0]
    return main, tuple(Overlay(kind, main, path) for path in files[1:])
