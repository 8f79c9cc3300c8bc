"""cow-not-eligible findings made from a shape shared by an image class equal the findings
made image by image from ``boot_path``.

The rule decides a finding's severity, confidence, evidence, cause and remediation once per
verdict form and consumer and fills in each image's own values. On random inventories
(those of ``test_cow_classes``) every finding must equal the one made from the image's own
``boot_path`` verdict, and its cause must name the consumer and path without the image's
own id or location URLs, one string object per class.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
import pickle
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from test_cow_classes import CONSUMERS, inventories
from test_cow_fixture_builder import collected, rbd_url
from test_cow_verdict import glance, nova

from imageyard import secrets
from imageyard.audit.cow import BootPath, Consumer, Verdict, boot_path, sorted_locations
from imageyard.audit.cow.table import VerdictTable
from imageyard.audit.cow.trace import Reads, slot_values
from imageyard.audit.engine import AuditResult
from imageyard.audit.mute import Mute, apply_mutes
from imageyard.audit.rule import AuditContext
from imageyard.audit.rules.cow_eligibility import _per_consumer, store_in_cluster
from imageyard.audit.rules.cow_shape import fix_of, shape_of
from imageyard.model.config import DeploymentConfig
from imageyard.model.finding import Finding, MuteNote, Status
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location
from imageyard.report import json_format
from imageyard.report.groups import finding_key
from imageyard.report.view import result_document
from imageyard.secrets import REDACTED, Redactor

RBD_CONSUMERS = tuple(c for c in CONSUMERS if c.rbd and c.fsid is not None)


def _decisive(verdict: Verdict) -> str:
    if not verdict.reasons:
        return ""
    return verdict.reasons[-1] if verdict.path is BootPath.ERROR else verdict.reasons[0]


def _alone(image: Image, consumer: Consumer, inv: Inventory) -> Finding | None:
    """The finding of ``image`` made from its own verdict (None: it clones, or unknown)."""
    verdict = boot_path(image, consumer, inv)
    if verdict.path in (BootPath.CLONE, BootPath.UNKNOWN):
        return None
    store = store_in_cluster(inv, consumer.fsid)

    def values(image: Image, reads: Reads | None = None, /) -> tuple[str, ...]:
        return slot_values(image, sorted_locations(image, inv), reads)

    return shape_of(image, consumer, verdict, store, values).finding(image)


def _shared(inv: Inventory, consumers: tuple[Consumer, ...]) -> Inventory:
    """``inv`` whose verdict table (the one the rule reads) has ``consumers``."""
    inv.derived("cow.verdicts", lambda: VerdictTable(inv, consumers))
    return inv


def _plain_strings(f: Finding) -> tuple[tuple[str, ...] | None, list[object]]:
    """``Finding.own_strings`` written from ``f``'s fields as read one by one."""
    tail: list[object] = [f.message, f.remediation, f.sort_text]
    if f.action is None:
        return None, tail
    names = tuple(sorted(name for name, _ in f.action.params))
    params = dict(f.action.params)
    return names, [f.action.kind, *(params[n] for n in names), *tail]


def _fields(f: Finding) -> tuple[object, ...]:
    return (f.rule_id, f.resource, f.message, f.severity, f.confidence, f.evidence)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_shared_findings_equal_image_by_image_findings(inv: Inventory) -> None:
    inv = _shared(inv, RBD_CONSUMERS)
    active = {i.id: i for i in inv.images if i.is_active}
    for consumer in RBD_CONSUMERS:
        found = {o.resource.id: o for o in _per_consumer(inv, consumer) if isinstance(o, Finding)}
        expected = {}
        for image in active.values():
            alone = _alone(image, consumer, inv)
            if alone is not None:
                expected[alone.resource.id] = alone
        assert found.keys() == expected.keys()
        keys: dict[int, set[object]] = {}  # findings of one shared part share a group key
        for finding in found.values():
            keys.setdefault(id(finding.shared_by), set()).add(finding_key(finding))
        assert all(len(k) == 1 for k in keys.values())
        for key, finding in found.items():
            image = active[key.split("@")[0]]
            verdict = boot_path(image, consumer, inv)
            assert _fields(finding) == _fields(expected[key])
            assert (finding.remediation, finding.action) == (
                expected[key].remediation,
                expected[key].action,
            )
            alone = expected[key]
            assert finding.own_strings() == alone.own_strings() == _plain_strings(alone)
            assert finding.message == (
                f"image {image.id} ({image.name or 'unnamed'}) on {consumer.name}: "
                f"{verdict.path.value}; {_decisive(verdict)}"
            )
            fix = fix_of(image, consumer, verdict, store_in_cluster(inv, consumer.fsid))
            assert finding.remediation == fix.text_of(image, verdict.location)
            assert finding.action == fix.action_of(image)
            assert finding.cause.startswith(f"{consumer.name}: {verdict.path.value}; ")
            own = (image.id, *(loc.url for loc in image.locations), image.direct_url or "")
            assert not [v for v in own if v and v in finding.cause]


def _member(index: int, size: int) -> Image:
    image_id = f"{index:08d}-0000-4000-8000-000000000000"
    return Image(
        id=image_id,
        name=f"img-{index}",
        disk_format="qcow2",
        size=size,
        virtual_size=size * 4,
        stores=("ceph",),
        locations=(Location.from_url(rbd_url(image_id), "ceph"),),
    )


def test_images_of_one_class_share_one_cause_with_placeholders() -> None:
    catalog = [_member(i, (i + 1) << 30) for i in range(20)]
    consumer = nova(force_raw=True)
    inv = replace(collected(*catalog), config=DeploymentConfig(glance_api=glance()))
    inv = _shared(inv, (consumer,))
    found = [o for o in _per_consumer(inv, consumer) if isinstance(o, Finding)]
    assert len(found) == len(catalog)
    assert len({id(f.cause) for f in found}) == 1
    assert len({f.message for f in found}) == len(catalog)  # each names its own image
    (cause,) = {f.cause for f in found}
    assert cause.startswith(f"{consumer.name}: download-convert-import; disk_format is qcow2")
    assert not any(i.id in cause or i.name in cause for i in catalog)  # type: ignore[operator]


def test_a_shaped_finding_reads_copies_and_mutes_like_a_plain_one() -> None:
    consumer = nova(force_raw=True)
    image = _member(1, 1 << 30)
    inv = _shared(
        replace(collected(image), config=DeploymentConfig(glance_api=glance())), (consumer,)
    )
    (shaped,) = [o for o in _per_consumer(inv, consumer) if isinstance(o, Finding)]
    fields = [getattr(shaped, f.name) for f in dataclasses.fields(Finding)]
    plain = Finding(*fields)
    assert type(shaped) is not Finding and shaped == plain and plain == shaped
    assert hash(shaped) == hash(plain) and shaped.sort_key[:3] == plain.sort_key[:3]
    assert shaped.sort_text == plain.sort_text == shaped.sort_key[2]
    assert shaped.own_strings() == plain.own_strings() == _plain_strings(plain)
    assert copy.deepcopy(shaped) == plain and pickle.loads(pickle.dumps(shaped)) == plain
    note = MuteNote("known", "2030-01-01", "mute.yaml:1")
    muted = dataclasses.replace(shaped, status=Status.MUTED, mute=note)
    assert type(muted) is Finding
    assert muted == replace(plain, status=Status.MUTED, mute=note)
    entry = Mute("cow-not-eligible", "image *", "known", datetime.date(2030, 1, 1), "m:1")
    (after,) = apply_mutes((shaped,), (entry,), datetime.date(2026, 1, 1))
    assert after.status is Status.MUTED and after.message == shaped.message


def test_a_secret_in_an_image_s_own_texts_never_reaches_the_audit_json() -> None:
    consumer = nova(force_raw=True)
    catalog = [replace(_member(i, 1 << 30), name=f"img-{i}-Tr0ub4dor") for i in range(5)]
    inv = replace(collected(*catalog), config=DeploymentConfig(glance_api=glance()))
    found = [
        o for o in _per_consumer(_shared(inv, (consumer,)), consumer) if isinstance(o, Finding)
    ]
    assert len(found) == len(catalog) and all(type(f) is not Finding for f in found)
    assert all("Tr0ub4dor" in f.message and "Tr0ub4dor" in f.remediation for f in found)
    redactor = Redactor()
    redactor.remember(["Tr0ub4dor"])
    secrets.install(redactor)
    try:
        result = AuditResult(AuditContext().release, (), tuple(found), ())
        text = json_format.render(result)
        doc = result_document(result)
        assert "Tr0ub4dor" not in text
        assert text == secrets.scrub(
            json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
        assert all(
            f"img-{i}-{REDACTED}" in f["message"]
            for i, f in enumerate(json.loads(text)["findings"])
        )
    finally:
        secrets.install(Redactor())


def test_a_class_whose_texts_hold_a_nul_character_gets_findings_made_image_by_image() -> None:
    # a NUL character brackets a template's slots: an image value holding one (a hand-made
    # or damaged snapshot) keeps its class out of the templates, and its findings are made
    # from each image's own verdict
    catalog = [replace(_member(i, (i + 1) << 30), disk_format="qcow2\x00y") for i in range(5)]
    consumer = nova(force_raw=True)
    inv = replace(collected(*catalog), config=DeploymentConfig(glance_api=glance()))
    inv = _shared(inv, (consumer,))
    found = [o for o in _per_consumer(inv, consumer) if isinstance(o, Finding)]
    expected = [_alone(image, consumer, inv) for image in catalog]
    assert [_fields(f) for f in found] == [_fields(f) for f in expected if f is not None]
    assert all("qcow2\x00y" in f.message for f in found) and len(found) == len(catalog)
