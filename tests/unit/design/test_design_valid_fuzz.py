"""Valid sites, greenfield and merged with collected configs, always design consistently.

The strategy writes site files the schema accepts (unique names, references that resolve,
numbers in range), up to eight backends of at most three types so several stores share a
role, and designs them alone or on top of an inventory collected from a config fixture or
corpus set. A
contradiction in the design (``build_design`` raises) fails the test with the site file.
IMAGEYARD_FUZZ_EXAMPLES and IMAGEYARD_FUZZ_RANDOM work as in tests/unit/cli/test_cli_fuzz.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from design_support import CONFIG_FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imageyard.audit.release_infer import choose_release
from imageyard.design import run_design
from imageyard.design.site import parse_site
from imageyard.design.situation import measured_site, merge
from imageyard.model.inventory import Inventory

FUZZ = settings(
    derandomize=not os.environ.get("IMAGEYARD_FUZZ_RANDOM"),
    max_examples=int(os.environ.get("IMAGEYARD_FUZZ_EXAMPLES", "500")) // 2,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
NAMES = ("a", "b", "ceph", "central", "edge1", "images", "rbd", "swift", "s3", "nfs")
RELEASES = (None, "2023.1", "2023.2", "2024.1", "2025.1", "2025.2", "wallaby", "victoria")
ROLES = ("central", "edge")
TYPES = ("rbd", "file", "swift", "s3", "cinder", "http")
NUMBERS = st.sampled_from([0, 1e-9, 1, 100, 5000, 1e6, 1e12])


def _maybe(draw: st.DrawFn, pool: list[str]) -> str | None:
    return draw(st.one_of(st.none(), st.sampled_from(pool))) if pool else None


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _backend(
    draw: st.DrawFn, sid: str, kinds: list[str], zones: list[str], clusters: list[str]
) -> dict[str, Any]:
    kind = draw(st.sampled_from(kinds))
    numbers = ("capacity_gib", "cost_per_gib_month", "throughput_mib_s")
    return _clean(
        {
            "id": sid,
            "type": kind,
            "role": draw(st.sampled_from([None, "hot", "general", "archive"])),
            "site": _maybe(draw, zones),
            "ceph_cluster": _maybe(draw, clusters) if kind == "rbd" else None,
            **{k: draw(st.one_of(st.none(), NUMBERS)) for k in numbers},
        }
    )


def _consumers(draw: st.DrawFn, zones: list[str], clusters: list[str]) -> dict[str, Any]:
    kinds = ("rbd", "qcow2", "raw", "flat", "lvm", "default")
    nova = [
        _clean(
            {
                "name": n,
                "images_type": draw(st.sampled_from(kinds)),
                "ceph_cluster": _maybe(draw, clusters),
                "site": _maybe(draw, zones),
            }
        )
        for n in draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=3))
    ]
    cinder = [
        _clean(
            {
                "name": n,
                "driver": draw(st.sampled_from(["rbd", "other"])),
                "ceph_cluster": _maybe(draw, clusters),
                "site": _maybe(draw, zones),
            }
        )
        for n in draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=3))
    ]
    return {"nova": nova, "cinder": cinder}


@st.composite
def sites(draw: st.DrawFn, fsids: tuple[str, ...] = ()) -> dict[str, Any]:
    zones = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=3))
    clusters = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=3))
    ids = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=8))
    homes = draw(st.permutations([*zones, *[None] * len(clusters)]))  # one cluster per site
    kinds = draw(st.lists(st.sampled_from(TYPES), unique=True, min_size=1, max_size=3))
    pains = ["slow_first_boot", "duplication", "store_imbalance"]
    return _clean(
        {
            "name": "fuzz",
            "release": draw(st.sampled_from(RELEASES)),
            "sites": [{"name": z, "role": draw(st.sampled_from(ROLES))} for z in zones],
            "ceph_clusters": [
                _clean({"name": c, "site": z, "fsid": _maybe(draw, list(fsids))})
                for c, z in zip(clusters, homes, strict=False)
            ],
            "backends": [_backend(draw, i, kinds, zones, clusters) for i in ids],
            **_consumers(draw, zones, clusters),
            "catalog": {"images": draw(st.sampled_from([0, 1, 300])), "total_gib": 900.0},
            "boot": {"boots_per_image_per_day": draw(NUMBERS), "top_share": 0.5},
            "pain_points": draw(st.lists(st.sampled_from(pains), unique=True)),
        }
    )


def _design(doc: dict[str, Any] | None, inv: Inventory | None) -> None:
    declared = parse_site(yaml.safe_dump(doc), "site.yaml") if doc is not None else None
    site = merge(measured_site(inv) if inv is not None else None, declared)
    choice = choose_release(None, inv, declared.release if declared is not None else None)
    run_design(site, inv, choice.release, with_audit=False)


@FUZZ
@given(doc=sites())
def test_valid_site_designs_consistently(doc: dict[str, Any]) -> None:
    _design(doc, None)


def _config_sets() -> list[Path]:
    corpus = [p / "etc" for p in sorted((ROOT / "tests" / "corpus").iterdir())]
    return sorted(p for p in CONFIG_FIXTURES.iterdir() if p.is_dir()) + [
        p for p in corpus if p.is_dir()
    ]


@pytest.fixture(scope="module")
def inventories() -> dict[str, Inventory]:
    sys.path.insert(0, str(ROOT / "tests" / "unit" / "audit"))
    from audit_support import collect_dir  # type: ignore[import-not-found]

    return {str(p.relative_to(ROOT)): collect_dir(p) for p in _config_sets()}


@FUZZ
@given(data=st.data())
def test_valid_site_over_collected_configs_designs_consistently(
    data: st.DataObject, inventories: dict[str, Inventory]
) -> None:
    inv = inventories[data.draw(st.sampled_from(sorted(inventories)))]
    fsids = tuple(sorted({c.fsid for c in measured_site(inv).ceph_clusters if c.fsid}))
    _design(data.draw(st.one_of(st.none(), sites(fsids))), inv)
