"""Rules on image signatures: incomplete property sets, unsigned public images, the COW bypass.

Concepts: an image is signed when it carries all four ``img_signature*`` properties; Glance
(and cursive's ``should_create_verifier``) verify only when all four are present, so a partial
set is never checked on upload and fails Nova's check on download. Nova verifies in its
image download (``[glance] verify_glance_signatures``, default False; when True an unsigned
image is refused); Cinder verifies in its download branch (``[DEFAULT]
verify_glance_signatures``, ``enabled`` by default: signed images only). Neither checks
anything when the disk is a copy-on-write clone of the image's RBD snapshot: no bytes are
downloaded. The per-image ``boot_path`` verdict names the images that are cloned.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from imageyard.audit.cow import BootPath, Consumer, boot_path
from imageyard.audit.cow.consumers import cinder_consumer, nova_consumer
from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import cite, file_unknown, is_true, text
from imageyard.audit.rules.cow_eligibility import images_missing, label
from imageyard.audit.rules.imports import import_apis, output_format, plugins
from imageyard.model.config import ConfigValue
from imageyard.model.finding import Evidence, Outcome, Resource
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory

SIGNATURE_PROPERTIES = (
    "img_signature",
    "img_signature_hash_method",
    "img_signature_key_type",
    "img_signature_certificate_uuid",
)
_SIGNATURE_PREFIX = "img_signature"  # NOTE: the common prefix of SIGNATURE_PROPERTIES
NOVA_VERIFY = "nova nova/image/glance.py (GlanceImageServiceV2.download, _get_verifier)"
NOVA_CLONE = "nova nova/virt/libvirt/driver.py (_try_fetch_image_cache: backend.clone)"
CINDER_VERIFY = "cinder cinder/volume/flows/manager/create_volume.py (_create_from_image)"
NOVA_CERT_DOC = "nova doc/source/user/certificate-validation.rst (Limitations)"


def signature_keys(image: Image) -> tuple[str, ...]:
    """The signature properties ``image`` carries, in canonical order."""
    # NOTE: one pass over the properties, not one per key: three rules and the design ask
    # this of every image; the first value of a key counts, as in Image.get_property
    found: dict[str, str] = {}
    for key, value in image.properties:
        if key.startswith(_SIGNATURE_PREFIX):
            found.setdefault(key, value)
    if not found:
        return ()
    return tuple(k for k in SIGNATURE_PROPERTIES if found.get(k) is not None)


def is_signed(image: Image) -> bool:
    """True when all four signature properties are set (what Glance and cursive require)."""
    return len(signature_keys(image)) == len(SIGNATURE_PROPERTIES)


_SETS_READ = 4096  # how many distinct property sets one ``signatures`` pass remembers


def signatures(inv: Inventory) -> tuple[tuple[str, ...], ...]:
    """``signature_keys`` of each image of ``inv``, in catalog order: the one reading of
    the properties that the signing rules share (made on first use, kept with it)."""
    return inv.derived("signing.keys", lambda: _signatures(inv.images))


def _signatures(images: Iterable[Image]) -> tuple[tuple[str, ...], ...]:
    # NOTE: the images of a snapshot share one properties tuple per distinct set (a catalog
    # has few): each set is read once and recognised by its identity (alive all the pass);
    # at most _SETS_READ are remembered, so a catalog without sharing costs no more memory
    seen: dict[int, tuple[str, ...]] = {}
    found = []
    for image in images:
        keys = seen.get(id(image.properties))
        if keys is None:
            keys = signature_keys(image)
            if len(seen) < _SETS_READ:
                seen[id(image.properties)] = keys
        found.append(keys)
    return tuple(found)


def _signed(keys: tuple[str, ...]) -> bool:
    """``is_signed`` of an image whose ``signature_keys`` are ``keys``."""
    return len(keys) == len(SIGNATURE_PROPERTIES)


@dataclass(frozen=True)
class Verifier:
    """A consumer that verifies signatures on download, and the option that says so."""

    consumer: Consumer
    option: ConfigValue | None
    unsigned_too: bool  # Nova refuses unsigned images; Cinder checks signed ones only

    def checks(self, signed: bool) -> bool:
        """True when this consumer would verify an image (``signed``: is it, ``is_signed``)
        if it downloaded it."""
        return self.unsigned_too or signed


def _cinder_enabled(cv: ConfigValue | None) -> bool:
    return text(cv).lower() != "disabled"


def verifiers(inv: Inventory) -> tuple[Verifier, ...]:
    """The Nova computes and Cinder RBD backends that verify signatures on download."""
    found = [
        Verifier(nova_consumer(n, inv), n.verify_glance_signatures, True)
        for n in inv.config.nova
        if is_true(n.verify_glance_signatures)
    ]
    found += [
        Verifier(cinder_consumer(c, b, inv), c.verify_glance_signatures, False)
        for c in inv.config.cinder
        if _cinder_enabled(c.verify_glance_signatures)
        for b in c.backends
        if b.is_rbd
    ]
    return tuple(found)


def _option_fact(v: Verifier) -> Evidence:
    if v.option is not None:
        return Evidence.from_config(v.option)
    return Evidence.fact(
        f"{v.consumer.config_path}: [DEFAULT] verify_glance_signatures unset (default enabled)"
    )


@rule(
    id="image-signature-incomplete",
    title="Image carries only some of the signature properties",
    severity="medium",
    confidence="high",
    category="security",
    remediation="Set all four properties (img_signature, img_signature_hash_method, "
    "img_signature_key_type, img_signature_certificate_uuid) by re-uploading the image signed, "
    "or remove the stray ones (openstack image unset --property <key> <image>).",
    links=(
        "glance doc/source/user/signature.rst",
        "cursive cursive/signature_utils.py (should_create_verifier)",
        NOVA_VERIFY,
    ),
)
def image_signature_incomplete(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An image with some but not all of the four ``img_signature*`` properties.

    Glance verifies an upload only when all four are present, so this image's data was never
    checked; a Nova compute with ``verify_glance_signatures = True`` refuses to boot it.
    """
    why = images_missing(inv)
    if why is not None:
        yield image_signature_incomplete.unknown(Resource("source", "glance"), why)
        return
    for image, keys in zip(inv.images, signatures(inv), strict=True):
        if not keys or _signed(keys):
            continue
        absent = [k for k in SIGNATURE_PROPERTIES if k not in keys]
        yield image_signature_incomplete.finding(
            Resource("image", image.id),
            f"image {label(image)} has {', '.join(keys)} but not {', '.join(absent)}: Glance "
            "never verified its data and a verifying Nova compute refuses it",
            Evidence.fact(f"image {image.id}: properties {', '.join(keys)}"),
            cause=f"image with {', '.join(keys)} but not {', '.join(absent)}: Glance never "
            "verified its data and a verifying Nova compute refuses it",
        )


@rule(
    id="public-image-unsigned",
    title="Public image without a signature where Nova requires one",
    severity="medium",
    confidence="high",
    category="security",
    remediation="Sign the image (openssl dgst -sha256 -sign key.pem -sigopt rsa_padding_mode:pss "
    "image | base64 -w0) and upload it again with the four img_signature* properties and the "
    "certificate in the key manager; or hide it (openstack image set --hidden <image>).",
    links=(NOVA_VERIFY, "glance doc/source/user/signature.rst"),
)
def public_image_unsigned(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """A public, active image without a complete signature on a cloud whose computes verify.

    With ``[glance] verify_glance_signatures = True`` Nova refuses to download an unsigned
    image, so every user who picks it from the public list gets a failed boot (unless the
    compute clones it from RBD, which checks nothing: see signature-verify-cow-bypass).
    """
    if not inv.config.nova:
        yield file_unknown(public_image_unsigned, inv, "nova")
        return
    novas = [v for v in verifiers(inv) if v.unsigned_too]
    if not novas:
        return
    why = images_missing(inv)
    if why is not None:
        yield public_image_unsigned.unknown(Resource("source", "glance"), why)
        return
    for image, keys in zip(inv.images, signatures(inv), strict=True):
        if image.visibility != "public" or not image.is_active or _signed(keys):
            continue
        yield public_image_unsigned.finding(
            Resource("image", image.id),
            f"public image {label(image)} is not signed, and Nova computes "
            f"{', '.join(v.consumer.name for v in novas)} refuse unsigned images on download",
            Evidence.fact(f"image {image.id}: visibility public, no img_signature* set"),
            *(_option_fact(v) for v in novas),
            cause=f"public image not signed, and Nova computes "
            f"{', '.join(v.consumer.name for v in novas)} refuse unsigned images on download",
        )


def _bypassed_by(
    image: Image, signed: bool, found: tuple[Verifier, ...], inv: Inventory
) -> list[Verifier]:
    """The verifiers that would check ``image`` (``signed``: is it) but clone it."""
    return [
        v
        for v in found
        if v.checks(signed) and boot_path(image, v.consumer, inv).path is BootPath.CLONE
    ]


@rule(
    id="signature-verify-cow-bypass",
    title="Signature verification is on but images are cloned from RBD unverified",
    severity="high",
    confidence="high",
    category="security",
    remediation="Treat RBD clones as unverified: verify signatures when the image is uploaded "
    "(Glance does when all four img_signature* properties are set) and restrict who may "
    "upload public images; or, where verification on every boot is required, use a "
    "non-rbd images_type on those computes (boots download and verify).",
    links=(NOVA_VERIFY, NOVA_CLONE, CINDER_VERIFY, NOVA_CERT_DOC),
)
def signature_verify_cow_bypass(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An image that a verifying consumer clones copy-on-write, so it is never verified.

    Nova verifies in its image download and Cinder in its download branch; a clone of the
    image's RBD snapshot downloads nothing, so the option promises a check that never runs
    (Nova even boots unsigned images this way). The image is named with each consumer whose
    boot-path verdict for it is ``clone``.
    """
    if not inv.config.nova and not inv.config.cinder:
        yield file_unknown(signature_verify_cow_bypass, inv, "nova")
        return
    found = verifiers(inv)
    if not found:
        return
    if inv.config.glance_api is None:
        yield file_unknown(signature_verify_cow_bypass, inv, "glance-api")
        return
    why = images_missing(inv)
    if why is not None:
        yield signature_verify_cow_bypass.unknown(Resource("source", "glance"), why)
        return
    unsigned_too = any(v.unsigned_too for v in found)
    for image, keys in zip(inv.images, signatures(inv), strict=True):
        signed = _signed(keys)
        if not signed and not unsigned_too:
            continue  # NOTE: no verifier checks it (Verifier.checks), without a call per image
        hit = _bypassed_by(image, signed, found, inv)
        if not hit:
            continue
        names = ", ".join(v.consumer.name for v in hit)
        yield signature_verify_cow_bypass.finding(
            Resource("image", image.id),
            f"image {label(image)} ({'signed' if signed else 'unsigned'}) is cloned "
            f"from RBD by {names}: verify_glance_signatures is on there, but a clone downloads "
            "nothing and no signature is checked",
            *(_option_fact(v) for v in hit),
            *cite(inv.config.glance_api.show_image_direct_url),
            cause=f"{'signed' if signed else 'unsigned'} image cloned from RBD by "
            f"{names}: verify_glance_signatures is on there, but a clone downloads nothing and "
            "no signature is checked",
        )


def _conversion_target(inv: Inventory) -> tuple[str, tuple[Evidence, ...]] | None:
    """The format the import API converts to, and the options saying so (None: no conversion)."""
    apis = [a for a in import_apis(inv) if "image_conversion" in plugins(inv, a)[0]]
    if not apis:
        return None
    fmt = output_format(inv, apis[0])
    return text(fmt) or "raw", cite(*plugins(inv, apis[0])[1], fmt)


@rule(
    id="signed-image-converted-on-import",
    title="Signed image in a format the import conversion would re-encode",
    severity="medium",
    confidence="medium",
    category="security",
    remediation="Sign the converted bytes instead: convert the image yourself (qemu-img convert "
    "-O <output_format>), sign the result and upload it with its signature; or import signed "
    "images where the image_conversion plugin is not enabled.",
    links=(
        "glance glance/async_/flows/plugins/image_conversion.py",
        "glance glance/location.py (ImageProxy.set_data: verifier)",
    ),
)
def signed_image_converted_on_import(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """A signed image whose ``disk_format`` differs from the import conversion's output format.

    The image_conversion plugin rewrites the data before Glance stores it, and Glance checks
    the signature against the stored bytes, so importing this image (or a new version of it
    the same way) fails verification: the signature is over the original bytes.
    """
    if inv.config.glance_api is None and inv.config.glance_import is None:
        yield file_unknown(signed_image_converted_on_import, inv, "glance-api")
        return
    target = _conversion_target(inv)
    if target is None:
        return
    fmt, evidence = target
    why = images_missing(inv)
    if why is not None:
        yield signed_image_converted_on_import.unknown(Resource("source", "glance"), why)
        return
    for image, keys in zip(inv.images, signatures(inv), strict=True):
        if not _signed(keys) or image.disk_format in (None, fmt):
            continue
        yield signed_image_converted_on_import.finding(
            Resource("image", image.id),
            f"signed image {label(image)} is {image.disk_format}: the import API converts it to "
            f"{fmt}, and the signature no longer matches the converted bytes",
            Evidence.fact(f"image {image.id}: disk_format {image.disk_format}, signed"),
            *evidence,
            cause=f"signed {image.disk_format} image: the import API converts it to {fmt}, and "
            "the signature no longer matches the converted bytes",
        )
