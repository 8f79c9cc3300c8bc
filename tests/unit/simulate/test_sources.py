"""Traces from an inventory's servers and from glance-api and nova-compute log lines."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from imageyard import cli
from imageyard.model.codec import dumps
from imageyard.model.compute import Server
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.simulate.sources import ImportCounts, from_glance_log, from_nova_log
from imageyard.simulate.sources import from_inventory as servers_trace
from imageyard.simulate.trace import Trace, TraceBuilder
from imageyard.simulate.tracefile import read_trace

IMG_A = "6d60977a-9fe3-48f0-a0b0-ef1eb3790170"
IMG_B = "3b5f9202-5537-4dc0-9c07-0a1887be89ab"
VM_1 = "11111111-2222-3333-4444-555555555555"
VM_2 = "66666666-7777-8888-9999-000000000000"


def _inventory() -> Inventory:
    return Inventory(
        images=(Image(IMG_A, name="a", size=1000), Image(IMG_B, name="b", size=None)),
        servers=(
            Server(VM_1, image_ref=IMG_A, host="cmp-1", availability_zone="az1",
                   created_at="2026-01-01T00:00:10Z"),
            Server("vol", image_ref=None, host="cmp-1", created_at="2026-01-01T00:00:00Z"),
            Server(VM_2, image_ref=IMG_A, host="cmp-2", created_at="2026-01-01T00:00:05Z"),
            Server("old", image_ref=IMG_A, host="cmp-2", created_at=None),
            Server("nosize", image_ref=IMG_B, host="cmp-2", created_at="2026-01-01T00:00:00Z"),
        ),
    )  # fmt: skip


def _rows(trace: Trace) -> list[tuple[float, str, str, str, int, float]]:
    return [
        (t, trace.image_names[i], trace.host_names[h], trace.zone_names[z], s, life)
        for t, i, h, z, s, life in zip(
            trace.times, trace.images, trace.hosts, trace.zones, trace.sizes, trace.lifetimes,
            strict=True,
        )
    ]  # fmt: skip


def test_servers_become_boots_at_their_creation_time() -> None:
    builder, counts = TraceBuilder(), ImportCounts()
    servers_trace(_inventory(), builder, counts)
    start = 1767225600.0  # 2026-01-01T00:00:00Z
    assert _rows(builder.build()) == [
        (start + 5, IMG_A, "cmp-2", "", 1000, math.inf),
        (start + 10, IMG_A, "cmp-1", "az1", 1000, math.inf),
    ]
    assert counts.skipped == {
        "booted from a volume": 1,
        "no host, creation time or image size": 2,
    }


GLANCE_LINES = [
    # uWSGI's request log, as glance-api writes it under uWSGI
    f"[pid: 8314|app: 0|req: 6/6] 10.0.0.7 () {{34 vars in 519 bytes}} [Sat Nov 28 12:11:10 "
    f"2026] GET /v2/images/{IMG_A}/file => generated 4096 bytes in 197 msecs (HTTP/1.1 200) "
    f"4 headers in 171 bytes (6 switches on core 3)",
    f"[pid: 8314|app: 0|req: 7/7] 10.0.0.7 () {{34 vars in 519 bytes}} [Sat Nov 28 12:11:11 "
    f"2026] PUT /v2/images/{IMG_A}/file => generated 0 bytes in 197 msecs (HTTP/1.1 204) "
    f"4 headers in 171 bytes (6 switches on core 3)",
    f"[pid: 8314|app: 0|req: 8/8] 10.0.0.8 () {{34 vars in 519 bytes}} [Sat Nov 28 12:11:12 "
    f"2026] GET /v2/images/{IMG_B}/file => generated 0 bytes in 5 msecs (HTTP/1.1 404) "
    f"4 headers in 171 bytes (6 switches on core 3)",
    # eventlet's wsgi log (glance-api before uWSGI), and an Apache-style time
    f'10.0.0.9 - - [28/Nov/2026 12:11:13] "GET /v2/images/{IMG_A}/file HTTP/1.1" 200 - 0.120000',
    f'10.0.0.9 - - [28/Nov/2026:13:11:14 +0100] "GET /v2/images/{IMG_A}/file HTTP/1.1" 200 '
    f"2048 0.1",
    "2026-11-28 12:11:15.000 8314 INFO glance.api.v2.images [-] something else",
]


def test_glance_access_log_downloads_become_boots() -> None:
    builder, counts = TraceBuilder(), ImportCounts()
    from_glance_log(GLANCE_LINES, {IMG_A: 1000}, builder, counts)
    noon = 1795867870.0  # 2026-11-28T12:11:10Z
    assert _rows(builder.build()) == [
        (noon, IMG_A, "10.0.0.7", "", 4096, math.inf),
        (noon + 3, IMG_A, "10.0.0.9", "", 1000, math.inf),
        (noon + 4, IMG_A, "10.0.0.9", "", 2048, math.inf),
    ]
    assert counts.skipped == {"HTTP 404": 1}


NOVA_LINES = [
    f"2026-11-28 12:00:00.123 4567 INFO nova.virt.libvirt.driver [req-1 u p - - default "
    f"default] [instance: {VM_1}] Creating image(s)",
    f"2026-11-28 12:00:01.000 4567 INFO nova.virt.libvirt.driver [-] [instance: {VM_2}] "
    f"Creating image(s)",
    "2026-11-28 12:00:02.000 4567 INFO nova.compute.manager [-] [instance: "
    "99999999-9999-9999-9999-999999999999] Creating image(s)",
    f"2026-11-28 12:10:00.123 4567 INFO nova.compute.manager [req-2 u p - - default default] "
    f"[instance: {VM_1}] Terminating instance",
]


def test_nova_compute_log_boots_with_lifetimes() -> None:
    builder, counts = TraceBuilder(), ImportCounts()
    from_nova_log(NOVA_LINES, "cmp-9", _inventory(), builder, counts)
    noon = 1795867200.0  # 2026-11-28T12:00:00Z
    assert _rows(builder.build()) == [
        (noon + 0.123, IMG_A, "cmp-9", "az1", 1000, 600.0),
        (noon + 1, IMG_A, "cmp-9", "", 1000, math.inf),
    ]
    assert counts.skipped == {"instance or its image not in the inventory": 1}


def test_import_command_writes_a_trace_simulate_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot, log = tmp_path / "inv.json", tmp_path / "glance-api.log"
    snapshot.write_text(dumps(_inventory()))
    log.write_text("\n".join(GLANCE_LINES) + "\n")
    trace_file = tmp_path / "boots.csv"
    args = ["simulate", "import", "--inventory", str(snapshot), "--glance-log", str(log)]
    assert cli.run([*args, "-o", str(trace_file)]) == 0
    assert "3 boots; skipped: 1 HTTP 404" in capsys.readouterr().err
    assert len(read_trace(str(trace_file))) == 3
    assert cli.run(["simulate", "cache", "--trace", str(trace_file), "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["events"] == 3


def test_nova_log_without_inventory_is_a_usage_error(tmp_path: Path) -> None:
    log = tmp_path / "n.log"
    log.write_text("\n".join(NOVA_LINES))
    assert cli.run(["simulate", "import", "--nova-log", f"cmp-1={log}"]) == 2
