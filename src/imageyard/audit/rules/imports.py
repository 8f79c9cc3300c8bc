"""Rules on interoperable image import: conversion to raw and the copy-image method.

Concepts: ``POST /v2/images/{id}/import`` runs the plugins of ``[image_import_opts]
image_import_plugins`` (read from glance-image-import.conf or glance-api.conf; default
none). ``image_conversion`` converts imports to ``[image_conversion] output_format``
(default raw), the only format Nova and Cinder can clone from RBD. ``copy-image`` is the
import method that copies an active image into more stores; it is in the default
``enabled_import_methods`` since Glance 20 (Ussuri), and Nova's
``images_rbd_glance_store_name`` relies on it.
"""

from __future__ import annotations

from collections.abc import Iterator

from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import (
    cite,
    file_resource,
    file_unknown,
    store_resource,
    unread_glance_api,
)
from imageyard.model.config import ConfigValue, GlanceApiConfig, as_list
from imageyard.model.finding import Evidence, Outcome
from imageyard.model.inventory import Inventory
from imageyard.model.store import StoreType

IMPORT_DOC = "glance doc/source/admin/interoperable-image-import.rst"
COPY_IMAGE_DEFAULT_SINCE = 20


def plugins(
    inv: Inventory, glance: GlanceApiConfig | None
) -> tuple[tuple[str, ...], tuple[ConfigValue, ...]]:
    """Every import plugin enabled in either file, and the options that say so."""
    imports = inv.config.glance_import
    found = [glance.image_import_plugins if glance else None]
    found += [imports.image_import_plugins if imports else None]
    values = tuple(cv for cv in found if cv is not None)
    return tuple(p for cv in values for p in as_list(cv)), values


def output_format(inv: Inventory, glance: GlanceApiConfig | None) -> ConfigValue | None:
    imports = inv.config.glance_import
    if imports is not None and imports.output_format is not None:
        return imports.output_format
    return glance.image_conversion_output_format if glance is not None else None


def import_apis(inv: Inventory) -> list[GlanceApiConfig]:
    """The glance-api instances users import through: the user-facing ones when known, else
    those whose role is not known, else (only internal ones read) all of them."""
    apis = inv.config.glance_api_instances()
    unknown = [a for a in apis if a.user_facing is None]
    return [a for a in apis if a.user_facing] or unknown or list(apis)


def _converts(inv: Inventory, glance: GlanceApiConfig) -> bool:
    return "image_conversion" in plugins(inv, glance)[0]


def _converting(inv: Inventory, apis: list[GlanceApiConfig]) -> str:
    return next(a.path for a in apis if _converts(inv, a))


@rule(
    id="image-conversion-off-with-rbd-default",
    title="Default store is rbd but imports are not converted to raw",
    severity="medium",
    confidence="medium",
    category="cow",
    remediation="Enable [image_import_opts] image_import_plugins = ['image_conversion'] with "
    "[image_conversion] output_format = raw, and steer uploads to the import API.",
    links=("glance glance/async_/flows/plugins/image_conversion.py", IMPORT_DOC),
)
def image_conversion_off_with_rbd_default(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """With an rbd default store, imports should be converted to raw.

    Only raw images are cloned copy-on-write; a qcow2 image in RBD is downloaded and
    converted by every compute on first boot. Confidence is medium: conversion applies to
    the import API only, never to PUT uploads or copy-image. It is judged on the glance-api
    instances users import through (the user-facing ones when known, else all): unknown
    when some of them convert and others do not.
    """
    apis = import_apis(inv)
    if not apis:
        yield file_unknown(image_conversion_off_with_rbd_default, inv, "glance-api")
        return
    default = next((s for s in inv.stores if s.is_default), None)
    if default is None or default.type is not StoreType.RBD:
        return
    off = [a for a in apis if not _converts(inv, a)]
    glance = off[0] if off else apis[0]
    if off and len(off) < len(apis):
        yield image_conversion_off_with_rbd_default.unknown(
            store_resource(default.id),
            f"{glance.path} does not convert imports but {_converting(inv, apis)} does; "
            "which glance-api users import through is not known from the configuration",
        )
        return
    enabled, values = plugins(inv, glance)
    if "image_conversion" in enabled:
        fmt = output_format(inv, glance)
        if fmt is None or fmt.value.strip() == "raw":
            return
        yield image_conversion_off_with_rbd_default.finding(
            store_resource(default.id),
            f"default store {default.id} is rbd but imports are converted to "
            f"{fmt.value.strip()}, not raw",
            *cite(fmt),
        )
        return
    if not values and inv.config.glance_import is None:
        yield file_unknown(image_conversion_off_with_rbd_default, inv, "glance-image-import")
        return
    other = unread_glance_api(inv)
    if other is not None:
        yield image_conversion_off_with_rbd_default.unknown(
            store_resource(default.id),
            f"{glance.path} does not convert imports, but {other} was not read: users may "
            "import through that glance-api",
        )
        return
    yield image_conversion_off_with_rbd_default.finding(
        store_resource(default.id),
        f"default store {default.id} is rbd but the image_conversion import plugin is off; "
        "imported qcow2 images stay qcow2 and cannot be cloned",
        *(cite(*values) or (Evidence.fact("image_import_plugins unset (default: none)"),)),
    )


def _copies(glance: GlanceApiConfig, ctx: AuditContext) -> bool:
    """Whether copy-image is an enabled import method (unset: the default from Glance 20)."""
    cv = glance.enabled_import_methods
    if cv is None:
        return ctx.release.major >= COPY_IMAGE_DEFAULT_SINCE
    return "copy-image" in as_list(cv)


@rule(
    id="copy-image-not-enabled",
    title="Several stores but the copy-image import method is off",
    severity="medium",
    confidence="high",
    category="multistore",
    remediation="Add copy-image to [DEFAULT] enabled_import_methods so images can be copied "
    "between stores (and Nova's images_rbd_glance_store_name can work).",
    links=("glance glance/common/config.py", IMPORT_DOC),
)
def copy_image_not_enabled(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """With more than one store, copy-image should be an enabled import method.

    Without it an image cannot be copied into another store through Glance, so moving
    images between tiers or sites, and Nova's copy into its local store, fail. Every
    glance-api instance is checked (users ask the user-facing one, Nova its own); one finding
    names the first without copy-image, user-facing instances first.
    """
    if inv.config.glance_api is None:
        yield file_unknown(copy_image_not_enabled, inv, "glance-api")
        return
    stores = {s.id for s in inv.stores if not s.is_reserved}
    if len(stores) < 2:
        return
    apis = sorted(inv.config.glance_api_instances(), key=lambda a: a.user_facing is not True)
    glance = next((a for a in apis if not _copies(a, ctx)), None)
    if glance is None:
        return
    cv = glance.enabled_import_methods
    methods = as_list(cv)
    shown = ", ".join(methods) if cv is not None else "unset (default before Glance 20)"
    yield copy_image_not_enabled.finding(
        file_resource(glance.path),
        f"{glance.path}: {len(stores)} stores but copy-image is not an enabled import method "
        f"({shown})",
        *cite(cv),
    )
