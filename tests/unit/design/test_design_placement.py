"""Edits where oslo.config reads them, for Nova and Cinder too, and one change list.

A compute group reading nova.conf then nova-compute.conf (Ubuntu's packaging), and a
cinder-volume reading cinder.conf then conf/backends.conf (openstack-helm), each with an
option that the later file overrides: the design must judge the value the service uses and
edit the later file. Import options that a glance.conf.d directory holds are reported in
the JSON under the file the diff really edits.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from design_support import CONFIG_FIXTURES

from imageyard import cli

NOVA_COMPUTE = "[libvirt]\nimages_type = rbd\nimages_rbd_glance_store_name = other\n"
CINDER = "[DEFAULT]\nenabled_backends = lvm1\n\n[lvm1]\nimage_volume_cache_enabled = True\n"
BACKENDS = (
    "[lvm1]\nvolume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver\n"
    "volume_backend_name = lvm1\nimage_volume_cache_enabled = False\n"
)


def _split_layout(tmp: Path) -> Path:
    etc = tmp / "cfg" / "etc"
    shutil.copytree(CONFIG_FIXTURES / "ubuntu-compute" / "etc", etc)
    nova = etc / "nova" / "nova.conf"
    nova.write_text(nova.read_text() + "images_rbd_glance_store_name = old\n")
    (etc / "nova" / "nova-compute.conf").write_text(
        "[DEFAULT]\ncompute_driver = libvirt.LibvirtDriver\n\n" + NOVA_COMPUTE
    )
    (etc / "cinder" / "conf").mkdir(parents=True)
    (etc / "cinder" / "cinder.conf").write_text(CINDER)
    (etc / "cinder" / "conf" / "backends.conf").write_text(BACKENDS)
    return tmp / "cfg"


def _design_json(cfg: Path, tmp: Path, *more: str) -> dict[str, object]:
    inv = tmp / "inv.json"
    assert cli.run(["collect", "-q", "--config-dir", str(cfg), "-o", str(inv)]) == 0
    out = tmp / "design.json"
    assert cli.run(["design", str(inv), "--no-audit", "-f", "json", "-o", str(out), *more]) == 0
    doc: dict[str, object] = json.loads(out.read_text())
    return doc


def _change(doc: dict[str, object], key: str) -> dict[str, object]:
    changes = doc["changes"]
    assert isinstance(changes, list)
    found: dict[str, object] = next(c for c in changes if c["key"] == key)
    return found


def test_nova_and_cinder_edits_go_to_the_file_that_wins(tmp_path: Path) -> None:
    cfg = _split_layout(tmp_path)
    written = tmp_path / "out"
    doc = _design_json(cfg, tmp_path, "--write-configs", str(written))
    nova = _change(doc, "images_rbd_glance_store_name")
    assert [Path(p).name for p in nova["paths"]] == ["nova-compute.conf"]  # type: ignore[union-attr]
    cache = _change(doc, "image_volume_cache_enabled")
    assert cache["value"] == "True"  # cinder.conf says True, but backends.conf (later) False
    assert [Path(p).name for p in cache["paths"]] == ["backends.conf"]  # type: ignore[union-attr]
    assert not (written / "nova.conf").exists()  # its [libvirt] value is overridden: untouched
    compute = (written / "nova-compute.conf").read_text()
    assert "images_rbd_glance_store_name = ceph" in compute and "= other" not in compute
    backends = (written / "backends.conf").read_text()
    assert "image_volume_cache_enabled = True" in backends
    assert not (written / "cinder.conf").exists()


def test_json_names_the_file_each_change_is_written_to(tmp_path: Path) -> None:
    doc = _design_json(CONFIG_FIXTURES / "glance-operator", tmp_path)
    diff = doc["diff"]
    assert isinstance(diff, dict)
    for key in ("image_import_plugins", "output_format"):
        ch = _change(doc, key)
        assert ch["file"] == "glance-api.conf"
        assert [Path(p).name for p in ch["paths"]] == ["02-config.conf"]  # type: ignore[union-attr]
    conf_d = str(CONFIG_FIXTURES / "glance-operator" / "etc/glance/glance.conf.d")
    assert set(diff) == {f"glance-api.conf:{conf_d}/{n}-config.conf" for n in ("00", "02")}
    assert (
        "+image_import_plugins = [image_conversion]"
        in diff[f"glance-api.conf:{conf_d}/02-config.conf"]
    )
