"""The reclaim classes: id, family, title, severity and the safe way to act on each.

Concepts: one ``ClassMeta`` per class, listed in ``CLASSES`` in report order. ``family``
groups them as the operator thinks of them: backend data without a Glance image, Glance
locations whose data is missing, what Glance deleted but Ceph kept, consumer leftovers,
duplicates and stale images. ``action`` is the proposed action kind the planner would run
(``rbd-trash-move``, ``delete-location``, ``delete-object``, ``flatten``, ``delete-image``,
``rbd-trash-remove``, ``review``); the analysis itself never runs any.
"""

from __future__ import annotations

from dataclasses import dataclass

from imageyard.model.finding import Confidence, Severity


@dataclass(frozen=True)
class ClassMeta:
    """Everything about one reclaim class except its logic."""

    id: str
    family: str
    title: str
    severity: Severity
    confidence: Confidence
    action: str
    remediation: str


def _c(id: str, family: str, title: str, severity: str, action: str, remediation: str) -> ClassMeta:
    return ClassMeta(id, family, title, Severity(severity), Confidence.HIGH, action, remediation)


CLASSES: tuple[ClassMeta, ...] = (
    _c("rbd-no-glance-image", "backend", "RBD image in a Glance pool without a Glance image",
       "medium", "rbd-trash-move",
       "check 'glance image-show <name>' is 404 and 'rbd status' lists no watcher, then "
       "'rbd trash mv <pool>/<name>' (restorable until the trash is purged)"),
    _c("file-no-glance-image", "backend", "File in a file store's datadir without a Glance image",
       "medium", "delete-object",
       "check no image location names the file, then move it out of the datadir"),
    _c("swift-no-glance-image", "backend", "Swift object in Glance's container without an image",
       "medium", "delete-object",
       "check no image location names the object, then 'swift delete <container> <object>'"),
    _c("s3-no-glance-image", "backend", "S3 object in Glance's bucket without an image",
       "medium", "delete-object",
       "check no image location names the object, then 'aws s3 rm s3://<bucket>/<key>'"),
    _c("location-data-missing", "missing", "Glance location whose data is missing",
       "high", "delete-location",
       "restore the data from another copy (copy-image), else delete the location "
       "('glance location-delete'); an image without any readable copy cannot boot"),
    _c("rbd-trash-entry", "deleted", "RBD trash entry of a deleted Glance image",
       "low", "rbd-trash-remove",
       "check 'rbd children' lists nothing for the entry's snapshots, then "
       "'rbd trash rm <pool>/<id>'"),
    _c("rbd-trash-snapshot", "deleted", "Snapshot in the trash namespace held by v2 clones",
       "low", "flatten",
       "flatten the clones ('rbd flatten'); the snapshot then goes by itself"),
    _c("rbd-protected-snap-no-image", "deleted",
       "Protected 'snap' on an RBD image without a Glance image",
       "medium", "rbd-trash-move",
       "check 'rbd children <pool>/<name>@snap' is empty, then 'rbd snap unprotect', "
       "'rbd snap rm' and 'rbd trash mv'"),
    _c("nova-disk-no-server", "consumer", "Nova disk without a server",
       "medium", "rbd-trash-move",
       "check 'openstack server show <uuid>' is 404 (also deleted-but-not-purged), then "
       "'rbd trash mv <pool>/<name>'"),
    _c("cinder-volume-no-volume", "consumer", "Cinder RBD volume without a volume",
       "medium", "rbd-trash-move",
       "check 'openstack volume show <id>' is 404, then 'rbd trash mv <pool>/<name>'"),
    _c("duplicate-image", "duplicate", "Image whose bytes another image already holds",
       "low", "delete-image",
       "move users to the kept image, then delete this one"),
    _c("image-deleted-owner", "stale", "Image of a project that no longer exists",
       "low", "delete-image",
       "hand the image to a live project or delete it"),
    _c("image-never-used", "stale", "Image never used, older than the threshold",
       "info", "delete-image",
       "ask the owner; deactivate first, delete after a quiet period"),
    _c("image-stuck", "stale", "Image stuck queued, saving or importing",
       "low", "delete-image",
       "check the import task ('glance task-list'), then delete the image"),
    _c("import-staging-leftover", "stale", "Import staging file without an import in progress",
       "low", "delete-object",
       "remove the file from the staging directory (os_glance_staging_store)"),
)  # fmt: skip

BY_ID: dict[str, ClassMeta] = {c.id: c for c in CLASSES}
