"""Rules on showing image locations: needed for copy-on-write, dangerous to end users.

Concepts: Nova reads an image's locations from a plain image GET, which carries them only
when the glance-api it talks to sets ``show_multiple_locations`` (the ``locations`` list)
or ``show_image_direct_url`` (one ``direct_url``). Without either, an image in RBD cannot
be cloned and every boot downloads it. Showing them to end users is what OSSN-0090 warns
about: the advice is one user-facing glance-api with both options off and a separate,
internal one for Nova, Cinder and Ironic with them on.
"""

from __future__ import annotations

from collections.abc import Iterator

from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import (
    cite,
    file_resource,
    file_unknown,
    is_true,
    rbd_stores,
    store_resource,
)
from imageyard.model.config import GlanceApiConfig
from imageyard.model.finding import Confidence, Evidence, Outcome
from imageyard.model.inventory import Inventory

OSSN_0090 = "https://lists.openstack.org/pipermail/openstack-announce/2022-October/002062.html"


def _shows_locations(glance: GlanceApiConfig) -> bool:
    return is_true(glance.show_image_direct_url) or is_true(glance.show_multiple_locations)


def _location_evidence(glance: GlanceApiConfig) -> tuple[Evidence, ...]:
    given = cite(glance.show_image_direct_url, glance.show_multiple_locations)
    return given or (Evidence.fact("show_image_direct_url and show_multiple_locations unset"),)


@rule(
    id="rbd-store-without-direct-url",
    title="rbd store but locations are not shown to Nova and Cinder",
    severity="high",
    confidence="medium",
    category="cow",
    remediation="Set show_image_direct_url = True (and show_multiple_locations = True for "
    "several Ceph clusters) on the glance-api endpoint Nova and Cinder use, ideally an "
    "internal-only one.",
    links=("nova nova/image/glance.py", "ceph doc/rbd/rbd-openstack.rst"),
)
def rbd_store_without_direct_url(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An rbd store needs show_image_direct_url (or show_multiple_locations) for COW.

    Nova and Cinder find the rbd:// location to clone in the image GET response; with
    both options off they see none and download the image instead. Confidence is medium:
    they may use another, internal glance-api whose configuration was not read.
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(rbd_store_without_direct_url, inv, "glance-api")
        return
    if _shows_locations(glance):
        return
    for store in rbd_stores(inv):
        yield rbd_store_without_direct_url.finding(
            store_resource(store.id),
            f"rbd store {store.id}: {glance.path} shows neither direct_url nor locations, so "
            "Nova and Cinder cannot clone its images copy-on-write",
            *_location_evidence(glance),
        )


def _other_glance_api(inv: Inventory) -> bool:
    """True when discovery saw more than one glance-api.conf."""
    return any("another glance-api file" in w for w in inv.config.warnings)


@rule(
    id="locations-exposed-user-facing",
    title="Image locations shown on a glance-api that looks user-facing (OSSN-0090)",
    severity="high",
    confidence="medium",
    category="security",
    remediation="Run two glance-api services: a user-facing one with show_image_direct_url "
    "and show_multiple_locations False, and an internal one (in Nova's and Cinder's "
    "[glance] api_servers) with them on.",
    links=(OSSN_0090, "ceph doc/rbd/rbd-openstack.rst"),
)
def locations_exposed_user_facing(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """Backend locations must not be shown to end users (OSSN-0090).

    The endpoint looks user-facing when it sets public_endpoint (medium confidence) or
    when it is the only glance-api configuration found (low confidence: the catalog may
    still point users elsewhere).
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(locations_exposed_user_facing, inv, "glance-api")
        return
    if not _shows_locations(glance):
        return
    if glance.public_endpoint is not None:
        why, confidence = f"sets public_endpoint {glance.public_endpoint.value}", Confidence.MEDIUM
    elif not _other_glance_api(inv):
        why, confidence = "is the only glance-api configuration found", Confidence.LOW
    else:
        return
    yield locations_exposed_user_facing.finding(
        file_resource(glance.path),
        f"{glance.path} shows image locations and {why}; users can read backend locations",
        *_location_evidence(glance),
        *cite(glance.public_endpoint),
        confidence=confidence,
    )
