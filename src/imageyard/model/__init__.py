"""The shared nouns of imageyard: frozen dataclasses with no I/O (``snapshot`` aside)."""

from imageyard.model.cache import CachedImage, CacheNode
from imageyard.model.ceph import (
    CephCluster,
    Pool,
    RbdImage,
    RbdParentRef,
    Snapshot,
    SnapshotNamespace,
    TrashEntry,
)
from imageyard.model.compute import Server, Volume
from imageyard.model.gap import Gap, SourceStatus
from imageyard.model.identity import Project
from imageyard.model.image import Image, ImageMember
from imageyard.model.inventory import SCHEMA_VERSION, Inventory
from imageyard.model.location import (
    CinderLocation,
    FileLocation,
    HttpLocation,
    Location,
    ParsedLocation,
    RbdLocation,
    S3Location,
    SwiftLocation,
    UnknownLocation,
    UnparsableLocation,
    parse_location,
    strip_credentials,
)
from imageyard.model.objects import StoredObject, StoreListing
from imageyard.model.snapshot import (
    dump_inventory,
    load_inventory,
    read_inventory,
    write_inventory,
)
from imageyard.model.store import Store, StoreSource, StoreType

__all__ = [
    "SCHEMA_VERSION",
    "CacheNode",
    "CachedImage",
    "CephCluster",
    "CinderLocation",
    "FileLocation",
    "Gap",
    "HttpLocation",
    "Image",
    "ImageMember",
    "Inventory",
    "Location",
    "ParsedLocation",
    "Pool",
    "Project",
    "RbdImage",
    "RbdLocation",
    "RbdParentRef",
    "S3Location",
    "Server",
    "Snapshot",
    "SnapshotNamespace",
    "SourceStatus",
    "Store",
    "StoreListing",
    "StoreSource",
    "StoreType",
    "StoredObject",
    "SwiftLocation",
    "TrashEntry",
    "UnknownLocation",
    "UnparsableLocation",
    "Volume",
    "dump_inventory",
    "load_inventory",
    "parse_location",
    "read_inventory",
    "strip_credentials",
    "write_inventory",
]
