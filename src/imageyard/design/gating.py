"""Release gating: a target release gets only the options and layout it has.

Concepts: multi-store (``enabled_backends``/``default_backend``, per-store sections,
``store_description``) exists from Glance 17 (Rocky); the reserved ``os_glance_*`` stores
and the copy-image import method from 20 (Ussuri); the image_conversion import plugin from
18 (Stein); ``weight`` from 27. Nova and Cinder are assumed to run the same series as Glance:
``never_download_image_if_on_rbd`` from Ussuri (Glance 20), ``images_rbd_glance_store_name``
from Victoria (Glance 21). Before multi-store the design is a single-store one: one store
per driver type in ``[glance_store] stores``, the default in ``default_store``, the driver
options in ``[glance_store]``; a second store of one type (an edge cluster) cannot exist,
and the memo says to upgrade first.
"""

from __future__ import annotations

from dataclasses import replace

from imageyard.design.model import Decision, StorePlan

MULTISTORE = 17
IMPORT_CONVERSION = 18
RESERVED_STORES = 20
COPY_IMAGE = 20
NEVER_DOWNLOAD = 20
NOVA_STORE_NAME = 21
WEIGHT = 27


def single_store(stores: tuple[StorePlan, ...], release: int) -> tuple[StorePlan, ...]:
    """Before multi-store: the first store of each driver type, the default first."""
    if release >= MULTISTORE:
        return stores
    seen: set[str] = set()
    out = []
    for s in stores:
        if s.type not in seen:
            seen.add(s.type)
            out.append(replace(s, weight=None))
    return tuple(out)


def decide_release(
    wanted: tuple[StorePlan, ...],
    kept: tuple[StorePlan, ...],
    release: int,
    multistore_now: bool = False,
) -> Decision | None:
    """The upgrade note when the target release cannot hold the layout."""
    if release >= MULTISTORE:
        return None
    if multistore_now:
        return Decision(
            "layout.release",
            "layout",
            "Target release",
            "refused: the store layout is not written",
            f"The collected glance-api.conf uses enabled_backends, which Glance {release} does "
            f"not have (Glance {MULTISTORE}+): check the target release (--release).",
            ("release-gating",),
            warning=True,
        )
    dropped = [s.id for s in wanted if s not in kept and s.id not in {k.id for k in kept}]
    types = ", ".join(dict.fromkeys(s.type for s in kept))
    why = (
        f"Glance {release} has no multi-store (enabled_backends, Glance {MULTISTORE}+): the "
        f"design is single-store, [glance_store] stores = {types or '(none)'} with the "
        "default in default_store and the driver options in [glance_store]."
    )
    if dropped:
        why += (
            f" Stores {', '.join(dropped)} need a second store of the same type, which only "
            f"multi-store allows: upgrade to Glance {RESERVED_STORES}+ (multi-store, reserved "
            "stores and copy-image) before adopting them."
        )
    return Decision(
        "layout.release",
        "layout",
        "Target release",
        f"single-store (Glance {release})"
        + (f"; upgrade for {', '.join(dropped)}" if dropped else ""),
        why,
        ("release-gating",),
        warning=bool(dropped),
    )
