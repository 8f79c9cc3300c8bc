"""The site YAML loader: clean values, and one-line file:line errors (exit 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from design_support import EXAMPLES

from imageyard.design.site import load_site, parse_site
from imageyard.errors import ConfigFileError, ExitCode, InputError


def _error(text: str) -> str:
    with pytest.raises(ConfigFileError) as info:
        parse_site(text, "site.yaml")
    assert info.value.exit_code == ExitCode.BAD_INPUT
    assert "\n" not in info.value.message
    return info.value.message


def test_example_loads_with_types() -> None:
    site = load_site(EXAMPLES / "edge-two-ceph.yaml")
    assert [c.name for c in site.ceph_clusters] == ["central", "edge1"]
    assert site.computes[1].uses_rbd and site.computes[1].ceph_cluster == "edge1"
    assert site.zone("edge1") is not None and site.zone("edge1").role == "edge"  # type: ignore[union-attr]
    assert site.catalog.share("raw") == 1.0


def test_unknown_key_names_its_line() -> None:
    msg = _error("name: x\nbackends:\n  - id: a\n    type: rbd\n    wieght: 3\n")
    assert msg.startswith("site.yaml:5: ") and "unknown key 'wieght'" in msg


def test_bad_choice() -> None:
    assert _error("backends:\n  - {id: a, type: nfs}\n").startswith("site.yaml:2: ")


def test_reserved_store_id() -> None:
    assert "reserved" in _error("backends:\n  - {id: os_glance_x, type: file}\n")


def test_unknown_cluster_reference() -> None:
    msg = _error("nova:\n  - {name: c, images_type: rbd, ceph_cluster: nope}\n")
    assert "ceph_cluster 'nope' is not in ceph_clusters" in msg


def test_negative_number() -> None:
    assert "non-negative" in _error("catalog: {images: -3}\n")


def test_share_above_one() -> None:
    assert "fraction" in _error("boot: {top_share: 80}\n")


def test_not_yaml() -> None:
    assert _error("a: [1, 2\n").startswith("site.yaml:")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_site(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("nova:\n  - {name: a, images_type: qcow2}\n  - {name: a, images_type: raw}\n", "nova"),
        ("cinder:\n  - {name: b, driver: other}\n  - {name: b, driver: other}\n", "cinder"),
        ("ceph_clusters:\n  - {name: c}\n  - {name: c}\n", "ceph_cluster"),
    ],
)
def test_duplicate_names(text: str, what: str) -> None:
    assert f"{what} name" in _error(text) and "appears twice" in _error(text)


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("name: x\nbackends:\n  - {type: rbd}\n", 3, "backend: id is required"),
        (
            "ceph_clusters:\n  - {name: c}\nnova:\n  - {name: a}\n  - {name: b, ceph_cluster: d}\n",
            5,
            "nova b: ceph_cluster 'd' is not in ceph_clusters",
        ),
        (
            "backends:\n  - {id: a, type: file}\n  - {id: b, type: file}\n  - {id: a, type: s3}\n",
            4,
            "backend id 'a' appears twice",
        ),
        ("cinder:\n  - {name: c}\n  - {name: c}\n", 3, "cinder name 'c' appears twice"),
    ],
)
def test_whole_item_problems_name_the_item_line(text: str, line: int, says: str) -> None:
    msg = _error(text)
    assert msg.startswith(f"site.yaml:{line}: ") and says in msg


def test_two_clusters_at_one_site_is_bad_input() -> None:
    # Both edge clusters once got an API at site 'edge': two default_backend values (exit 70).
    text = (
        "ceph_clusters:\n  - {name: c1}\n  - {name: c2, site: edge}\n  - {name: c3, site: edge}\n"
        "nova:\n  - {name: n2, images_type: rbd, ceph_cluster: c2}\n"
        "  - {name: n3, images_type: rbd, ceph_cluster: c3}\n"
    )
    msg = _error(text)
    assert msg.startswith("site.yaml:4: ") and "c3 is at site 'edge', like c2" in msg
