"""Rules on showing image locations: needed for copy-on-write, dangerous to end users.

Concepts: Nova reads an image's locations from a plain image GET, which carries them only
when the glance-api it talks to sets ``show_multiple_locations`` (the ``locations`` list)
or ``show_image_direct_url`` (one ``direct_url``). Without either, an image in RBD cannot
be cloned and every boot downloads it. Showing them to end users is what OSSN-0090 warns
about: the advice is one user-facing glance-api with both options off and a separate,
internal one for Nova, Cinder and Ironic with them on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from imageyard.audit.cow.table import verdicts
from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import (
    cite,
    file_resource,
    file_unknown,
    is_true,
    rbd_stores,
    unread_glance_api,
)
from imageyard.model.config import ConfigValue, GlanceApiConfig
from imageyard.model.finding import Confidence, Evidence, Outcome
from imageyard.model.inventory import Inventory

GLANCE_LOCATIONS_API_SINCE = 29
OSSN_0090 = "https://lists.openstack.org/pipermail/openstack-announce/2022-October/002062.html"


def _shows_locations(glance: GlanceApiConfig) -> bool:
    return is_true(glance.show_image_direct_url) or is_true(glance.show_multiple_locations)


def _location_evidence(glance: GlanceApiConfig) -> tuple[Evidence, ...]:
    given = cite(glance.show_image_direct_url, glance.show_multiple_locations)
    return given or (Evidence.fact("show_image_direct_url and show_multiple_locations unset"),)


# glance-operator names each GlanceAPI <glance>-<api>-<type> and logs to /var/log/glance/<name>.log
# (internal/controller/glanceapi_controller.go); its template shows locations on internal,
# single and edge APIs and hides them on external ones.
_OPERATOR_LOG = re.compile(r"^/var/log/glance/[A-Za-z0-9-]+-(internal|external|single|edge)\.log$")


def operator_api_type(inv: Inventory, glance: GlanceApiConfig) -> ConfigValue | None:
    """The ``log_file`` that names a glance-operator API's type, if this is one."""
    paths = set(glance.files or (glance.path,))
    for f in inv.config.files:
        if f.kind != "glance-api" or f.path not in paths:
            continue
        for cv in f.values:
            if (cv.section, cv.key) == ("DEFAULT", "log_file") and _OPERATOR_LOG.match(
                cv.value.strip()
            ):
                return cv
    return None


def _api_type(cv: ConfigValue | None) -> str:
    match = _OPERATOR_LOG.match(cv.value.strip()) if cv is not None else None
    return match.group(1) if match else ""


def _consumer_apis(inv: Inventory) -> list[GlanceApiConfig]:
    """The glance-api instances Nova and Cinder may use: the internal ones when known."""
    apis = inv.config.glance_api_instances()
    internal = [a for a in apis if a.user_facing is False]
    return internal or [a for a in apis if a.user_facing is not True]


def _mixed_exposure(inv: Inventory) -> Outcome | None:
    """Unknown when some of the glance-apis Nova and Cinder may use show locations, not all."""
    apis = _consumer_apis(inv)
    shown = [a for a in apis if _shows_locations(a)]
    hidden = [a for a in apis if not _shows_locations(a)]
    if not shown or not hidden:
        return None
    return rbd_store_without_direct_url.unknown(
        file_resource(hidden[0].path),
        f"{hidden[0].path} hides locations but {shown[0].path} shows them; which glance-api "
        "Nova and Cinder use is not known from the configuration",
    )


def _cinder_reads_locations(inv: Inventory, major: int) -> list[str]:
    """Cinder RBD backends that read locations through the service-only API themselves."""
    if major < GLANCE_LOCATIONS_API_SINCE:
        return []
    return [
        c.name
        for c in verdicts(inv).consumers
        if not c.is_nova and c.rbd and c.service_locations_api
    ]


def _blind_message(inv: Inventory, glance: GlanceApiConfig, major: int) -> str:
    stores = ", ".join(s.id for s in rbd_stores(inv))
    cinder = _cinder_reads_locations(inv, major)
    head = f"{glance.path} shows neither direct_url nor locations for rbd store(s) {stores}"
    if cinder:
        return (
            f"{head}: Nova cannot clone their images copy-on-write and downloads them; "
            f"{', '.join(cinder)} still can, as Cinder 27 and later read locations through "
            "the service-only locations API with their [glance] auth section"
        )
    return f"{head}, so Nova and Cinder cannot clone their images copy-on-write"


@rule(
    id="rbd-store-without-direct-url",
    title="rbd store but locations are not shown to Nova and Cinder",
    severity="high",
    confidence="medium",
    category="cow",
    remediation="Set show_image_direct_url = True (and show_multiple_locations = True for "
    "several Ceph clusters) on an internal-only glance-api that Nova and Cinder use (their "
    "[glance] api_servers), not on the user-facing one.",
    links=(
        "nova nova/image/glance.py",
        "cinder cinder/image/glance.py",
        "ceph doc/rbd/rbd-openstack.rst",
    ),
)
def rbd_store_without_direct_url(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An rbd store needs show_image_direct_url (or show_multiple_locations) for COW.

    Nova finds the rbd:// location to clone in the image GET response; with both options
    off it sees none and downloads the image instead (so does Cinder before 27, or without
    a [glance] auth section). Judged on the internal glance-api instances when one is known
    (glance-operator's internal API), else on every one that is not user-facing: unknown when
    some of those show locations and others do not, or when discovery found another
    glance-api file (an internal endpoint, say) that was not read.
    """
    glance = inv.config.glance_api
    if glance is None:
        yield file_unknown(rbd_store_without_direct_url, inv, "glance-api")
        return
    apis = _consumer_apis(inv)
    if not rbd_stores(inv) or (apis and all(_shows_locations(a) for a in apis)):
        return
    mixed = _mixed_exposure(inv)
    if mixed is not None:
        yield mixed
        return
    role = operator_api_type(inv, glance)
    if _api_type(role) == "external":
        yield rbd_store_without_direct_url.unknown(
            file_resource(glance.path),
            f"{glance.path} is a glance-operator external API, which hides locations by "
            "design; Nova and Cinder use its internal API, whose configuration was not read",
            *cite(role),
        )
        return
    other = unread_glance_api(inv)
    if other is not None:
        yield rbd_store_without_direct_url.unknown(
            file_resource(glance.path),
            f"{glance.path} hides locations, but {other} was not read: it may be the "
            "internal glance-api that Nova and Cinder use",
        )
        return
    yield rbd_store_without_direct_url.finding(
        file_resource(glance.path),
        _blind_message(inv, glance, ctx.release.major),
        *_location_evidence(glance),
    )


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
    still point users elsewhere). A glance-operator internal or edge API (recognised by the
    log_file the operator gives it) is internal by construction and passes; an external one
    is user-facing (medium confidence). Each glance-api instance is judged on its own.
    """
    apis = inv.config.glance_api_instances()
    if not apis:
        yield file_unknown(locations_exposed_user_facing, inv, "glance-api")
        return
    for glance in apis:
        yield from _exposed(inv, glance, alone=len(apis) == 1)


def _exposure(
    inv: Inventory, glance: GlanceApiConfig, *, alone: bool
) -> tuple[str, Confidence] | None:
    """Why ``glance`` looks user-facing, and how sure that is (None: it does not)."""
    if glance.user_facing is False:
        return None
    if _api_type(operator_api_type(inv, glance)) in {"internal", "edge"}:
        return None
    if glance.user_facing:
        return f"is the user-facing API {glance.name}", Confidence.MEDIUM
    if glance.public_endpoint is not None:
        return f"sets public_endpoint {glance.public_endpoint.value}", Confidence.MEDIUM
    if alone and unread_glance_api(inv) is None:
        return "is the only glance-api configuration found", Confidence.LOW
    return None


def _exposed(inv: Inventory, glance: GlanceApiConfig, *, alone: bool) -> Iterator[Outcome]:
    found = _exposure(inv, glance, alone=alone) if _shows_locations(glance) else None
    if found is None:
        return
    why, confidence = found
    yield locations_exposed_user_facing.finding(
        file_resource(glance.path),
        f"{glance.path} shows image locations and {why}; users can read backend locations",
        *_location_evidence(glance),
        *cite(glance.public_endpoint),
        confidence=confidence,
    )
