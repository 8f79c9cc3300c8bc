"""Rewrite the report gold files after an intended change: ``.venv/bin/python
tests/unit/report/gold_report.py``; the tests fail on any difference."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_support import GOLD, plain, scrub, simulation, snapshot
from test_report_html import EPOCH
from test_report_metrics_diff import _changed

from imageyard.cli import run


def _out(argv: list[str]) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        run(argv)
    return scrub(buf.getvalue())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        small = snapshot(Path(tmp), 30)
        (GOLD / "metrics.prom").write_text(_out(["metrics", str(small)]))
        new, _ = _changed(small, Path(tmp))
        (GOLD / "diff.md").write_text(_out(["diff", str(small), str(new), "-f", "markdown"]))
        os.environ["SOURCE_DATE_EPOCH"] = EPOCH
        sim = simulation(Path(tmp))
        run(["report", str(small), "-o", str(Path(tmp) / "r.html"), "--simulation", str(sim)])
        (GOLD / "report.html").write_text(scrub(plain((Path(tmp) / "r.html").read_text())))


if __name__ == "__main__":
    main()
