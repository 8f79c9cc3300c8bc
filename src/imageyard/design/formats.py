"""Section (b), format policy: raw where consumers clone, qcow2 where that is harmless.

Concepts: an image can be cloned only if it is raw and in the consumer's cluster, so every
image in a consumer cluster's store must be raw (labelled raw *and* raw data: the RBD header
check of the inventory catches qcow2 data labelled raw). Archive stores and computes that do
not use rbd can keep qcow2, which is smaller at rest. The image_conversion plugin converts
on import only; existing images and plain uploads must be converted by hand, and the cost is
virtual_size minus size per image.
"""

from __future__ import annotations

from imageyard.design.model import Conversion, Decision, StorePlan
from imageyard.design.site import Catalog, Site
from imageyard.model.ceph import Pool
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory

GIB = 1024**3


def clone_stores(stores: tuple[StorePlan, ...]) -> set[str]:
    """The stores Nova/Cinder clone from: the rbd default and edge stores."""
    return {s.id for s in stores if s.type == "rbd" and s.role in ("default", "edge")}


def _pool(inv: Inventory, store: StorePlan) -> Pool | None:
    """The pool ``store`` keeps its images in, when its cluster was read."""
    cluster = inv.ceph_cluster(store.fsid) if store.fsid else None
    return cluster.pool(store.pool) if cluster and store.pool else None


def _data_format(pool: Pool | None, image: Image) -> str:
    """The format of the image's data in the store using ``pool``: the RBD header when read,
    else the label."""
    rbd = pool.image(image.id) if pool else None
    if rbd is not None and rbd.detected_format is not None:
        detected = rbd.detected_format.format
        if detected not in ("raw", "unknown"):
            return detected
    return image.disk_format or "unknown"


def conversions(inv: Inventory | None, stores: tuple[StorePlan, ...]) -> tuple[Conversion, ...]:
    """Active images in a clone store whose data is not raw (ISO images excepted)."""
    if inv is None:
        return ()
    targets = [(s, _pool(inv, s)) for s in stores if s.id in clone_stores(stores)]
    out = []
    for image in inv.images:
        if not image.is_active:
            continue
        for store, pool in targets:
            if store.id not in image.stores:
                continue
            fmt = _data_format(pool, image)
            if fmt not in ("raw", "iso"):
                out.append(
                    Conversion(
                        image.id,
                        image.name or "",
                        store.id,
                        fmt,
                        image.size or 0,
                        image.virtual_size,
                    )
                )
    return tuple(out)


def declared_growth_gib(cat: Catalog) -> float | None:
    """Declared catalog: the growth of converting its qcow2 share to raw (None: unknown)."""
    if not cat.virtual_gib:
        return None if cat.share("qcow2") else 0.0
    return (cat.virtual_gib - cat.total_gib) * cat.share("qcow2")


def _decide_raw(site: Site, stores: tuple[StorePlan, ...]) -> Decision:
    clone = sorted(clone_stores(stores))
    if not clone:
        return Decision(
            "format.raw",
            "format",
            "Raw images",
            "not required",
            "No consumer clones from Ceph: any format works, qcow2 is smaller at "
            "rest and computes convert it in _base.",
            ("cow-clone-rules",),
        )
    return Decision(
        "format.raw",
        "format",
        "Raw images",
        f"required in {', '.join(clone)}",
        "Nova and Cinder clone only raw data from their own cluster; a qcow2 image "
        "there is downloaded, converted and imported flat on every first boot.",
        ("cow-clone-rules", "ceph-raw-required"),
    )


def _decide_qcow2(site: Site, stores: tuple[StorePlan, ...]) -> Decision:
    archive = [s.id for s in stores if s.role == "archive"]
    local = [c.name for c in site.computes if not c.uses_rbd]
    where = []
    if archive:
        where.append(f"archive stores ({', '.join(archive)})")
    if local:
        where.append(f"images used only by non-rbd computes ({', '.join(local)})")
    if not where:
        return Decision(
            "format.qcow2",
            "format",
            "Where qcow2 is acceptable",
            "nowhere",
            "Every consumer clones from Ceph.",
            ("cow-clone-rules",),
        )
    return Decision(
        "format.qcow2",
        "format",
        "Where qcow2 is acceptable",
        "; ".join(where),
        "Nothing clones from these: data is downloaded anyway, so the smaller "
        "qcow2 costs nothing at boot. Convert when copying an image into a Ceph "
        "store (copy-image does not convert).",
        ("cow-clone-rules", "image-conversion"),
    )


def _decide_plugin(stores: tuple[StorePlan, ...]) -> Decision:
    default = next((s for s in stores if s.is_default), None)
    if default is None or default.type != "rbd":
        return Decision(
            "format.image_conversion",
            "format",
            "Import conversion",
            "off",
            "The default store is not cloned from, so converting to raw would only "
            "inflate stored size.",
            ("image-conversion",),
        )
    return Decision(
        "format.image_conversion",
        "format",
        "Import conversion",
        "image_import_plugins = [image_conversion], output_format = raw",
        "Imports into the Ceph default become raw automatically. This covers interoperable "
        "import only: plain uploads (PUT /v2/images/{id}/file) and copy-image are not "
        "converted, so tell users to use image-create-via-import, or restrict the "
        "upload_image policy.",
        ("image-conversion",),
    )


def _decide_convert(
    items: tuple[Conversion, ...], site: Site, stores: tuple[StorePlan, ...]
) -> Decision | None:
    if items:
        known = [c.extra_bytes for c in items if c.extra_bytes is not None]
        extra = sum(known) / GIB
        unknown = len(items) - len(known)
        tail = f"; {unknown} without virtual_size" if unknown else ""
        return Decision(
            "format.convert",
            "format",
            "Images to convert",
            f"{len(items)} images, +{extra:.2f} GiB{tail}",
            "These images sit in a store Nova/Cinder clone from but their data is not raw; "
            "each conversion stores about virtual_size instead of size.",
            ("cow-clone-rules", "raw-grows"),
            tuple(
                f"measured: {c.image_id} {c.name!r} in {c.store}: {c.disk_format}, "
                f"size {c.size}, virtual_size {c.virtual_size}"
                for c in items[:20]
            ),
        )
    cat = site.catalog
    if not clone_stores(stores) or not cat.images or cat.source != "declared":
        return None
    qshare = cat.share("qcow2")
    if not qshare:
        return None
    growth = declared_growth_gib(cat)
    cost = f"+{growth:.0f} GiB" if growth is not None else "unknown (give virtual_gib)"
    return Decision(
        "format.convert",
        "format",
        "Images to convert",
        f"about {round(cat.images * qshare)} qcow2 images, {cost}",
        "Declared format mix: the qcow2 share must become raw before it lands in a "
        "store that is cloned from.",
        ("cow-clone-rules", "raw-grows"),
        (f"declared: {cat.images} images, {qshare:.0%} qcow2",),
    )


def decide_formats(
    site: Site, stores: tuple[StorePlan, ...], items: tuple[Conversion, ...]
) -> list[Decision]:
    """Section (b) decisions."""
    found = [
        _decide_raw(site, stores),
        _decide_qcow2(site, stores),
        _decide_plugin(stores),
        _decide_convert(items, site, stores),
    ]
    return [d for d in found if d is not None]
