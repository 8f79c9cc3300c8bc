"""Live Ceph collection: RBD pools, images, snapshots, clone parents and trash per cluster.

Concepts: ``CephCollector`` (source ``ceph``) reads each target cluster through an
``RbdClient``: ``BindingsClient`` (the ``rados``/``rbd`` Python bindings) when they import,
else ``CliClient`` (``rbd``/``ceph`` with ``--format json``). Both return the model's records,
so the collector never knows which one it has. Unreachable clusters, forbidden pools and
unreadable images become ``Gap`` records, never exceptions and never empty-looking pools.
"""

from __future__ import annotations

from imageyard.collect.ceph.cli import CliClient
from imageyard.collect.ceph.client import (
    DEFAULT_TIMEOUT,
    CephError,
    ClientFactory,
    ClusterTarget,
    Fault,
    ImageRef,
    PoolRecord,
    RbdClient,
)
from imageyard.collect.ceph.collector import (
    SOURCE,
    CephCollector,
    default_client_factory,
    targets_from_config,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "SOURCE",
    "CephCollector",
    "CephError",
    "CliClient",
    "ClientFactory",
    "ClusterTarget",
    "Fault",
    "ImageRef",
    "PoolRecord",
    "RbdClient",
    "default_client_factory",
    "targets_from_config",
]
