"""``imageyard report --format html``: one self-contained, deterministic file, no secrets."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from report_support import GOLD, plain, report_data, scrub, simulation, snapshot

from imageyard.cli import run
from imageyard.model.gap import Gap
from imageyard.model.snapshot import read_inventory, write_inventory

EPOCH = "1767323045"  # 2026-01-02T03:04:05Z


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return snapshot(tmp_path_factory.mktemp("html"), 30)


def _report(inv: Path, out: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> str:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert run(["report", str(inv), "-o", str(out), *extra]) == 0
    return out.read_text()


def test_html_matches_gold(small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sim = str(simulation(tmp_path))
    html = _report(small, tmp_path / "r.html", monkeypatch, "--simulation", sim)
    assert "report made 2026-01-02T03:04:05Z" in html
    assert scrub(plain(html)) == (GOLD / "report.html").read_text()


def test_same_snapshot_same_bytes(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _report(small, tmp_path / "a.html", monkeypatch)
    assert _report(small, tmp_path / "b.html", monkeypatch) == first


def test_self_contained_every_section_and_every_image(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = _report(small, tmp_path / "r.html", monkeypatch)
    assert not re.search(r"\b(src|href)\s*=", html)  # nothing loaded from anywhere
    assert "<link" not in html and "@import" not in html
    for section in ("summary", "charts", "findings", "images", "gaps", "design"):
        assert f'<section id="{section}">' in html
    assert html.count("<svg ") == 5
    data = report_data(html)
    inv = read_inventory(small)
    assert sorted(r[0] for r in data["images"]) == sorted(i.id for i in inv.images)
    assert data["findings"], "the generated catalog has findings"


def test_secrets_in_names_and_gaps_are_never_rendered(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inv = read_inventory(small)
    leaky = replace(inv.images[0], name="db-image password=hunter2")
    gap = Gap("glance", "image list", "GET http://admin:s3cr3tpw@glance:9292/v2/images: 500")
    path = tmp_path / "leaky.json"
    write_inventory(replace(inv, images=(leaky, *inv.images[1:]), gaps=(*inv.gaps, gap)), path)
    html = _report(path, tmp_path / "r.html", monkeypatch)
    assert "admin:" in html and "s3cr3tpw" not in html  # the gap
    names = [r[1] for r in report_data(html)["images"]]
    assert "db-image password=***" in names and not any("hunter2" in n for n in names)


def test_design_memo_is_included_escaped(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = tmp_path / "memo.md"
    memo.write_text("# Memo\n<script>alert(1)</script> password = hunter2\n")
    html = _report(small, tmp_path / "r.html", monkeypatch, "--design", str(memo))
    assert "# Memo" in html and "&lt;script&gt;alert(1)" in html
    assert "hunter2" not in html


def test_a_binary_memo_is_exit_5(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    memo = tmp_path / "memo.bin"
    memo.write_bytes(b"\x00\x01")
    assert run(["report", str(small), "-o", str(tmp_path / "r.html"), "--design", str(memo)]) == 5
    assert "imageyard: error:" in capsys.readouterr().err


def test_the_report_in_pieces_is_the_whole_report_scrubbed_at_once(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every row its own piece: scrubbing the pieces one by one masks what scrubbing the
    whole text masks (a secret in a name and in a gap), and the embedded JSON is one
    document."""
    import datetime

    from imageyard import secrets
    from imageyard.report import html as report_html
    from imageyard.report.html import view
    from imageyard.report.results import gather

    inv = read_inventory(small)
    leaky = [replace(i, name=f"{i.name} token={n}secret") for n, i in enumerate(inv.images[:3])]
    gap = Gap("glance", "image list", "GET http://admin:s3cr3tpw@glance:9292/v2/images: 500")
    results = gather(replace(inv, images=(*leaky, *inv.images[3:]), gaps=(gap,)))
    monkeypatch.setattr(view, "BLOCK", 1)
    now = datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC)
    pieces = list(report_html.render_parts(results, now))
    whole = report_html.render(results, now)
    assert len(pieces) > len(inv.images) + 3  # the page around, then a piece per row
    scrubbed = "".join(secrets.scrub(p) for p in pieces)
    assert scrubbed == secrets.scrub(whole)
    assert "s3cr3tpw" not in scrubbed
    data = report_data(scrubbed)
    assert len(data["images"]) == len(inv.images) and data["findings"]
    names = [r[1] for r in data["images"] if "token=" in r[1]]
    assert len(names) == 3 and all(n.endswith("token=***") for n in names)
    assert "0secret" not in json.dumps(data)


def test_a_block_the_policy_would_alter_is_embedded_as_plain_json(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A remembered secret that happens to match inside a compressed block's base64 would
    break the block when the page is written through the policy: that block is embedded
    as plain JSON instead, and decodes to the same rows."""
    import datetime

    from imageyard import secrets
    from imageyard.report import html as report_html
    from imageyard.report.results import gather

    results = gather(read_inventory(small))
    now = datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC)
    before = report_html.render(results, now)
    packed = re.search(r'data-enc="deflate">([^<]{40})', before)
    assert packed is not None
    redactor = secrets.Redactor()
    redactor.remember([packed.group(1)[20:36]])
    monkeypatch.setattr(secrets, "_current", redactor)
    after = report_html.render(results, now)
    assert after.count('data-enc="deflate"') == before.count('data-enc="deflate"') - 1
    written = secrets.scrub(after)
    assert written == after  # nothing for the policy to change
    assert report_data(written) == report_data(before)


@pytest.fixture(scope="module")
def consumers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of a fake Glance with an rbd and a qcow2 compute group."""
    from imageyard.testing.fake_glance import Catalog, FakeGlance

    out = tmp_path_factory.mktemp("consumers") / "inv.json"
    conf = Path(__file__).resolve().parents[2] / "fixtures" / "configs" / "mixed-computes"
    with FakeGlance(catalog=Catalog(images=20)) as fake:
        args = ["collect", "-q", "--glance-endpoint", fake.url, "--config-dir", str(conf)]
        assert run([*args, "-o", str(out)]) in (0, 6)
    return out


def test_the_report_walks_each_consumers_paths_once(
    consumers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The image rows and the summaries (cards, charts) come from one walk of the paths."""
    import datetime
    from collections import Counter

    from imageyard.paths import PathsReport
    from imageyard.report.html import view
    from imageyard.report.results import gather

    walks: Counter[str] = Counter()
    real = PathsReport.rows_of

    def rows_of(self: PathsReport, consumer: Any) -> Any:
        walks[consumer.name] += 1
        return real(self, consumer)

    monkeypatch.setattr(PathsReport, "rows_of", rows_of)
    results = gather(read_inventory(consumers))
    page = view.page(results, datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC))
    assert page.consumers and set(walks) == set(page.consumers)
    assert set(walks.values()) == {1}
