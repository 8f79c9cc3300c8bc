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
        ("name: x\nbackends:\n  - {type: rbd}\n", 3, "backends[0]: id is required"),
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


def test_cluster_at_the_site_named_by_another_cluster_is_bad_input() -> None:
    # A cluster without a site is its own site: c3 at site 'edge' shares it with cluster edge.
    text = "ceph_clusters:\n  - {name: edge}\n  - {name: c3, site: edge}\n"
    assert _error(text).startswith("site.yaml:3: ") and "like edge" in _error(text)


def test_every_problem_is_named_with_its_line() -> None:
    text = (
        "name: x\n"
        "backends:\n"
        "  - {id: a, type: nfs}\n"
        "  - {id: b, type: file, capacity_gib: -1}\n"
        "boot: {top_share: 2, wieght: 1}\n"
        "catalog: {images: 2.5}\n"
    )
    msg = _error(text)
    assert msg.startswith("site.yaml:3: backends[0].type: 'nfs' is not one of rbd,")
    assert "site.yaml:4: backends[1].capacity_gib: -1 is not a non-negative number" in msg
    assert "site.yaml:5: boot: unknown key 'wieght'" in msg
    assert "site.yaml:5: boot.top_share: 2 is not a fraction" in msg
    assert "site.yaml:6: catalog.images: 2.5 is not a whole number" in msg


def test_every_reference_problem_is_named_with_its_line() -> None:
    text = (
        "nova:\n  - {name: a, ceph_cluster: x}\n  - {name: a}\n"
        "cinder:\n  - {name: c, ceph_cluster: y}\n"
    )
    msg = _error(text)
    assert msg.startswith("site.yaml:2: nova a: ceph_cluster 'x' is not in ceph_clusters")
    assert "site.yaml:3: nova name 'a' appears twice" in msg
    assert "site.yaml:5: cinder c: ceph_cluster 'y' is not in ceph_clusters" in msg


def test_text_fields_keep_what_was_written() -> None:
    site = parse_site("name: on\nrelease: 2025.10\nceph_clusters:\n  - {name: 1}\n", "s.yaml")
    assert (site.name, site.release, site.ceph_clusters[0].name) == ("on", "2025.10", "1")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name: [a]\n", "site.yaml:1: name: ['a'] is not text"),
        ("backends: {id: a}\n", "site.yaml:1: backends: {'id': 'a'} is not a list"),
        ("boot: {top_images: true}\n", "boot.top_images: True is not a whole number"),
        ("catalog: {images: !!binary aGk=}\n", "catalog.images: b'hi' is not a whole number"),
        ("catalog: {images: !!python/none x}\n", "site.yaml:1: catalog.images: could not"),
        ("? [a]\n: b\n", "site.yaml:1: site description: a key is not text"),
        ("backends:\n  - {id: 'a b', type: file}\n", "site.yaml:2: backends[0].id: 'a b' is not"),
    ],
)
def test_wrong_types_are_named(text: str, says: str) -> None:
    assert says in _error(text)


def test_null_is_a_missing_key() -> None:
    assert "site.yaml:2: backends[0]: id is required" in _error("backends:\n  - {id: , type: s3}\n")
    assert parse_site("catalog:\nboot:\n", "s.yaml").catalog.images == 0
