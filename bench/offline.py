"""The offline stages at scale: show, audit, design, paths and reclaim on a generated inventory.

A snapshot of ``--images`` images (default 100,000) is collected once from the fake Glance
(real response shapes: every status, format, store and location kind) together with the
lab's glance-api.conf and the nova.conf, cinder.conf and ceph.conf of
``bench/offline-configs`` (three consumers in the fake Glance's Ceph cluster), so every rule
and every boot path has something to read. Then each command runs in its own process,
and its wall time, CPU time (user + system: what the command itself spent, whatever else
the machine runs) and peak RSS (from ``resource.getrusage`` of the child) are printed
beside the goal.

``show`` also reads a ``.json.zst`` copy of the snapshot (Zstandard, the same text), to show
what decompression adds to the streamed read.

Run: ``.venv/bin/python bench/offline.py --images 100000`` (``--only show,design``: those
commands alone; ``--snapshot FILE``: that snapshot instead of a new one). ``paths`` and
``reclaim`` have no goal of their own in the issue; theirs here is audit's. ``--rounds N``
runs each command N times and prints the lowest and highest figures (the machine's other load
only ever adds time).

The package's modules are byte-compiled first, as an installed wheel has them: a checkout
run with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every module on every run
(about 0.1 s of each command's start-up).
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "tests" / "fixtures" / "configs" / "lab"
# nova (an rbd and a qcow2 compute group) and cinder (an rbd backend) in the fake Glance's
# Ceph cluster, so every image gets a boot path per consumer
BENCH = ROOT / "bench" / "offline-configs"
CONFIG_FLAGS = (
    *("--glance-api-conf", str(LAB / "glance-api.conf"), "--ceph-conf", str(BENCH / "ceph.conf")),
    *("--nova-conf", str(BENCH / "nova-rbd.conf"), "--nova-conf", str(BENCH / "nova-qcow2.conf")),
    *("--cinder-conf", str(BENCH / "cinder.conf"), "--sources", "config,glance"),
)
# (label, arguments after the snapshot path, goal seconds at 100,000 images)
COMMANDS = (
    ("show", ["show"], 1.0),
    ("audit -f json", ["audit", "-f", "json", "--fail-on", "none", "-o", os.devnull], 2.0),
    ("audit (table)", ["audit", "--fail-on", "none", "-o", os.devnull], 2.0),
    ("paths -f json", ["paths", "-f", "json", "-o", os.devnull], 2.0),
    ("paths (table)", ["paths", "-o", os.devnull], 2.0),
    ("paths -f csv", ["paths", "-f", "csv", "-o", os.devnull], 2.0),
    ("design", ["design", "-o", os.devnull], 3.0),
    ("reclaim", ["reclaim", "-f", "json", "--fail-on", "none", "-o", os.devnull], 2.0),
)
GOAL_RSS_MIB = 500  # at 100,000 images; at 1,000,000 every command stays under 4 GB
GOAL_RSS_MIB_1M = 4000


def make_snapshot(images: int, out: Path) -> None:
    from imageyard import cli
    from imageyard.testing.fake_glance import Catalog, FakeGlance

    with FakeGlance(catalog=Catalog(images=images)) as fake:
        args = ["collect", "-q", "--glance-endpoint", fake.url, *CONFIG_FLAGS]
        code = cli.run([*args, "-o", str(out)])
    if code != 0:
        raise SystemExit(f"collect exited {code}")


def _zst_copy(snapshot: Path, out: Path) -> Path:
    import zstandard

    with snapshot.open("rb") as src, out.open("wb") as dst:
        zstandard.ZstdCompressor(level=3).copy_stream(src, dst)
    return out


def run(args: list[str], snapshot: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one command in a child process."""
    imageyard = Path(sys.executable).with_name("imageyard")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(imageyard), args[0], str(snapshot), *args[1:]],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(args)} exited {proc.returncode}: {proc.stderr[-800:]}")
    # NOTE: this runs in a fresh interpreter per command (measure), so the children's peak
    # is this command's own
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(args: list[str], snapshot: Path) -> tuple[float, float, float]:
    """One command measured in a fresh interpreter, so each peak RSS is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(snapshot), "--", *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(out.stderr[-1500:])
    seconds, cpu, rss = out.stdout.split()
    return float(seconds), float(cpu), float(rss)


def _span(values: tuple[float, ...], digits: int = 1) -> str:
    """``low`` or ``low-high`` of several runs' figures."""
    low, high = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
    return f"{low:>6}" if low == high else f"{low}-{high}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--snapshot", type=Path, help="use this snapshot instead of making one")
    parser.add_argument("--only", help="comma-separated labels (e.g. show,design)")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each command")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(*run(args.rest, args.child))
        return 0
    compileall.compile_dir(ROOT / "src" / "imageyard", quiet=1)
    with tempfile.TemporaryDirectory(prefix="imageyard-bench-offline.") as tmp:
        snapshot = args.snapshot or Path(tmp) / "inventory.json"
        if args.snapshot is None:
            t0 = time.perf_counter()
            make_snapshot(args.images, snapshot)
            print(f"(snapshot of {args.images} images made in {time.perf_counter() - t0:.0f} s, "
                  f"{snapshot.stat().st_size / 1e6:.0f} MB)", flush=True)  # fmt: skip
        packed = snapshot
        if not snapshot.name.endswith(".zst"):
            packed = _zst_copy(snapshot, Path(tmp) / "inventory.json.zst")
        print(f"(snapshot {snapshot.stat().st_size / 1e6:.0f} MB, as .json.zst "
              f"{packed.stat().st_size / 1e6:.0f} MB)", flush=True)  # fmt: skip
        scale = args.images / 100_000
        goal_rss = GOAL_RSS_MIB if args.images <= 100_000 else GOAL_RSS_MIB_1M
        runs = [(label, command, goal, snapshot) for label, command, goal in COMMANDS]
        runs.insert(1, ("show (.zst)", ["show"], 1.0, packed))
        if args.only:
            wanted = set(args.only.split(","))
            runs = [run for run in runs if run[0].split(" ")[0] in wanted or run[0] in wanted]
        for label, command, goal, path in runs:
            rounds = [measure(command, path) for _ in range(args.rounds)]
            seconds, cpu, rss = zip(*rounds, strict=True)
            print(f"  {label:<14} {_span(seconds)} s, CPU {_span(cpu)} s "
                  f"(goal {goal * scale:.1f} s)"
                  f"   peak RSS {_span(rss, 0)} MiB (goal < {goal_rss})", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
