"""Snapshots for the report, diff and metrics tests: a generated catalog, made stable.

``snapshot(tmp, images)`` collects the lab's configuration and a fake Glance of ``images``
images (s3 locations carrying credentials, as old Glance wrote them) and pins the
collection time and durations, so the outputs can be compared with gold files.
``plain`` and ``report_data`` read the HTML report's embedded rows (compressed blocks).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from imageyard import cli, secrets
from imageyard.model.snapshot import read_inventory, write_inventory
from imageyard.testing.fake_glance import Catalog, FakeGlance

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "tests" / "fixtures" / "configs" / "lab"
GOLD = ROOT / "tests" / "gold" / "report"
WHEN = "2026-01-02T03:04:05+00:00"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@contextlib.contextmanager
def remembering(*literals: str) -> Iterator[None]:
    """A secrets policy of its own that remembers ``literals`` (as it would an
    ``OS_PASSWORD``'s value) while it lasts; a blank one afterwards."""
    redactor = secrets.Redactor()
    redactor.remember(list(literals))
    secrets.install(redactor)
    try:
        yield
    finally:
        secrets.install(secrets.Redactor())


def snapshot(tmp: Path, images: int, name: str = "inv.json") -> Path:
    """A stable snapshot of ``images`` generated images."""
    out = tmp / name
    with FakeGlance(catalog=Catalog(images=images, s3_credentials=True)) as fake:
        args = ["collect", "-q", "--glance-endpoint", fake.url, "--config-dir", str(CONFIG)]
        assert cli.run([*args, "-o", str(out)]) in (0, 6)
    inv = read_inventory(out)
    sources = tuple(replace(s, seconds=0.5) for s in inv.sources)
    write_inventory(replace(inv, generated_at=WHEN, sources=sources), out)
    return out


def scrub(text: str) -> str:
    """Volatile text (the fake Glance's port, the checkout's path, generated ids) made constant."""
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    text = text.replace(str(ROOT), "ROOT")
    return UUID.sub("UUID", text)


SIMULATION = {
    "schema": "imageyard-simulate-cache/1",
    "events": 100,
    "models": [
        {
            "model": "glance",
            "hit_rate": 0.5,
            "search": {
                "option": "image_cache_max_size",
                "target_hit_rate": 0.8,
                "smallest": 3 << 30,
                "hit_rate": 0.82,
                "replays": 4,
                "tried": [
                    {"setting": 4 << 30, "hit_rate": 0.9},
                    {"setting": 0, "hit_rate": 0.1},
                    {"setting": 2 << 30, "hit_rate": 0.6},
                    {"setting": 3 << 30, "hit_rate": 0.82},
                ],
            },
        },
        {
            "model": "cinder",
            "hit_rate": 0.2,
            "search": {
                "option": "image_volume_cache_max_size_gb",
                "target_hit_rate": 0.8,
                "smallest": None,
                "hit_rate": None,
                "replays": 2,
                "tried": [{"setting": 1, "hit_rate": 0.0}, {"setting": 40, "hit_rate": 0.3}],
            },
        },
        {"model": "nova", "hit_rate": 0.4},
    ],
}


def simulation(tmp: Path, doc: object = None, name: str = "sim.json") -> Path:
    """A ``simulate cache -f json`` file (the crafted ``SIMULATION`` unless ``doc`` is given)."""
    out = tmp / name
    out.write_text(json.dumps(SIMULATION if doc is None else doc))
    return out


_BLOCK = re.compile(
    r'<script type="application/x-imageyard-rows" data-rows="(?P<key>\w+)"'
    r'(?P<enc> data-enc="deflate")?>(?P<text>[^<]*)</script>\n'
)


def _rows(match: re.Match[str]) -> list[list[object]]:
    text = match.group("text")
    if not match.group("enc"):
        return json.loads(text)  # type: ignore[no-any-return]
    packed = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    return json.loads(zlib.decompress(packed))  # type: ignore[no-any-return]


def plain(html: str) -> str:
    """The report with each compressed block of rows shown as its JSON (for gold files)."""
    return _BLOCK.sub(lambda m: f"<rows {m.group('key')}>{json.dumps(_rows(m))}</rows>\n", html)


def report_data(html: str) -> dict[str, Any]:
    """The tables of ``#report-data`` and every block's rows, decoded, joined per key."""
    head = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', html)
    assert head is not None
    data: dict[str, Any] = json.loads(head.group(1))
    for match in _BLOCK.finditer(html):
        data.setdefault(match.group("key"), []).extend(_rows(match))
    return data
