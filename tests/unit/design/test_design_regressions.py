"""Site files that once made the design contradict itself (exit 70), designed again.

Each file in tests/fixtures/sites is the smallest site found that showed one root cause;
its comment says which. Every one must design cleanly and keep the property it broke, or,
when the inputs themselves contradict each other (``REFUSED``), be refused as bad input
(exit 5) with one line naming the contradiction.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from design_support import CONFIG_FIXTURES, ROOT

from imageyard import cli
from imageyard.audit.releases import parse_release
from imageyard.design import run_design
from imageyard.design.layout import plan_stores
from imageyard.design.model import StorePlan
from imageyard.design.site import Backend, Site, load_site
from imageyard.design.situation import measured_site, merge
from imageyard.design.topology import CENTRAL, plan_apis
from imageyard.errors import DesignRefused
from imageyard.model.snapshot import read_inventory

SITES = ROOT / "tests" / "fixtures" / "sites"
NAMES = sorted(p.stem for p in SITES.glob("*.yaml"))
OVER = {  # designed over these configs
    "edge-api-hot-store": "kolla-control-services",
    "measured-cluster-site-collision": "kolla-control-services",
    "repeated-section-store-pool": "duplicated-sections",
}
REFUSED = {  # bad input: the one line that says why
    "measured-cluster-site-collision": "ceph_cluster edge (declared) is at site 'ceph', "
    "like ceph (measured)",
}


def _snapshot(name: str, tmp_path: Path) -> list[str]:
    if name not in OVER:
        return []
    out = tmp_path / "inv.json"
    argv = ["collect", "-q", "--config-dir", str(CONFIG_FIXTURES / OVER[name]), "-o", str(out)]
    assert cli.run(argv) == 0
    return [str(out), "--no-audit"]


@pytest.mark.parametrize("name", NAMES)
def test_regression_site_designs(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    memo = tmp_path / "memo.md"
    site = ["--site", str(SITES / f"{name}.yaml")]
    rc = cli.run(["design", *_snapshot(name, tmp_path), *site, "-o", str(memo)])
    if name in REFUSED:
        err = capsys.readouterr().err.strip().splitlines()
        assert (rc, len(err)) == (5, 1), err
        assert err[0].startswith(f"imageyard: error: {SITES / name}.yaml: {REFUSED[name]}")
        assert not memo.exists()
        return
    assert rc == 0
    assert "## " in memo.read_text()


def test_a_contradiction_is_refused_as_bad_input(tmp_path: Path) -> None:
    """Past the site check (merged by hand), the consistency checker names the clash and
    the design is refused with DesignRefused (exit 5), not an internal error."""
    inv = read_inventory(Path(_snapshot("measured-cluster-site-collision", tmp_path)[0]))
    site = merge(measured_site(inv), load_site(SITES / "measured-cluster-site-collision.yaml"))
    with pytest.raises(DesignRefused) as caught:
        run_design(site, inv, parse_release("33"), with_audit=False)
    assert caught.value.exit_code == 5
    assert "two glance-apis at site 'ceph'" in caught.value.message


def test_archive_stores_stay_above_the_review_store() -> None:
    site = load_site(SITES / "archive-stores-reach-review.yaml")
    stores = run_design(site, None, parse_release(site.release), with_audit=False).design.stores
    weight = {s.id: s.weight or 0 for s in stores}
    assert len(set(weight.values())) == len(weight)
    assert min(weight[f"a{i}"] for i in range(1, 6)) > weight["nfs"]


def test_many_stores_of_one_role_never_tie_or_go_negative() -> None:
    backends = tuple(Backend(id=f"s{i}", type="swift", role="archive") for i in range(15))
    stores = plan_stores(Site(backends=(Backend(id="nfs", type="file"), *backends)), 30)
    weights = [s.weight for s in stores]
    assert None not in weights and len(set(weights)) == len(weights)
    assert min(w or 0 for w in weights) >= 0
    assert stores[0].id == "nfs" and stores[0].weight == max(w or 0 for w in weights)


def _plan(sid: str, role: str, weight: int, cluster: str | None = None) -> StorePlan:
    return StorePlan(sid, "rbd", role, weight, "", role == "default", ceph_cluster=cluster)


def test_collected_edge_api_gives_other_stores_distinct_weights() -> None:
    stores = (
        _plan("central", "default", 100, "central"),
        _plan("edge1", "edge", 50, "edge1"),
        _plan("h1", "hot", 60),
        _plan("h2", "hot", 59),
        _plan("g1", "general", 30),
    )
    site = Site(backends=(Backend(id="edge1", type="rbd", is_default=True, source="measured"),))
    edge = next(a for a in plan_apis(site, stores, 30) if a.default == "edge1")
    weights = dict(edge.weights)
    assert len(set(weights.values())) == len(weights)
    assert CENTRAL > weights["h1"] > weights["h2"] > weights["g1"]


def test_repeated_section_keeps_only_the_effective_store_options() -> None:
    sys.path.insert(0, str(ROOT / "tests" / "unit" / "audit"))
    from audit_support import collect_dir  # type: ignore[import-not-found]

    inv = collect_dir(CONFIG_FIXTURES / "duplicated-sections")
    ceph = next(b for b in measured_site(inv).backends if b.id == "ceph")
    pools = [v for k, v in ceph.options if k == "rbd_store_pool"]
    assert pools == ["glance-images"]  # oslo.config: the later [ceph] section wins
    assert dict(ceph.options)["rbd_store_user"] == "glance"
