"""Glance collection at scale: imageyard's listing against a plain paged-GET loop.

Both clients run in their own process against the same server, alternating, so the numbers
are measured side by side in one run:

* ``plain``: ``requests`` with ``limit=1000``, following ``next``, JSON-decoding each page
  (both the default and the ``os_hidden=true`` listing, as imageyard reads both);
* ``imageyard``: ``GlanceCollector`` over ``glance_http`` (openstacksdk session), building
  the model's frozen ``Image`` records, stores, import methods.

Servers: ``--images N`` starts the fake Glance (real response shapes) with N images in its
own process; ``--lab N`` uses the running lab Glance, first topping its catalog up to N
images (queued images named ``bench-*``, removed afterwards unless ``--keep``).

Prints images/s for both, the ratio imageyard/plain (best and median round) and imageyard's
peak RSS. Run: ``.venv/bin/python bench/collect_scale.py`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import requests

LAB_URL = os.environ.get("GLANCE_LAB_URL", "http://127.0.0.1:9292")
# NOTE: Glance leaves community images out of every default list, even an admin's, so
# both listings ask for visibility=all, as imageyard does.
PASSES = ({"visibility": "all"}, {"visibility": "all", "os_hidden": "true"})


# ---------------------------------------------------------------- workers (child processes)
def plain_listing(url: str) -> int:
    """The baseline: a paged GET loop with requests, decoding every page."""
    session = requests.Session()
    session.trust_env = False
    count = 0
    for extra in PASSES:
        next_url: str | None = f"{url}/v2/images?" + "&".join(
            f"{k}={v}" for k, v in {"limit": "1000", **extra}.items()
        )
        while next_url:
            body = session.get(next_url, timeout=60).json()
            count += len(body["images"])
            nxt = body.get("next")
            next_url = f"{url}{nxt}" if nxt else None
    return count


def imageyard_listing(url: str) -> int:
    from imageyard.collect.base import NullProgress
    from imageyard.collect.glance import GlanceCollector, glance_http
    from imageyard.model.inventory import Inventory

    collector = GlanceCollector(glance_http(endpoint=url), fetch_members=False)
    inv = collector.collect(Inventory(), NullProgress())
    if inv.gaps:
        raise SystemExit(f"imageyard listing left gaps: {inv.gaps[:3]}")
    return len(inv.images)


def worker(kind: str, url: str) -> None:
    run = plain_listing if kind == "plain" else imageyard_listing
    if kind == "imageyard":  # module imports are start-up cost, not listing speed
        import imageyard.collect.glance
        import imageyard.model.inventory  # noqa: F401
    t0 = time.perf_counter()
    images = run(url)
    seconds = time.perf_counter() - t0
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"images": images, "seconds": seconds, "rss_kib": rss_kib}))


# ---------------------------------------------------------------- the comparison
def measure(kind: str, url: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--url", url],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["rate"] = result["images"] / result["seconds"]
    return result


def compare(url: str, rounds: int, label: str) -> None:
    runs: dict[str, list[dict[str, Any]]] = {"plain": [], "imageyard": []}
    for _ in range(rounds):
        for kind in ("plain", "imageyard"):
            runs[kind].append(measure(kind, url))
    counts = {r["images"] for rs in runs.values() for r in rs}
    if len(counts) != 1:
        raise SystemExit(f"the clients saw different catalogs: {sorted(counts)}")
    best = {k: max(r["rate"] for r in rs) for k, rs in runs.items()}
    median = {k: statistics.median(r["rate"] for r in rs) for k, rs in runs.items()}
    rss_mib = max(r["rss_kib"] for r in runs["imageyard"]) / 1024
    print(f"== {label}: {counts.pop()} images, {rounds} rounds each, alternating")
    for kind in ("plain", "imageyard"):
        print(
            f"  {kind:<10} best {best[kind]:>9.0f} images/s   median {median[kind]:>9.0f} images/s"
        )
    print(f"  ratio imageyard/plain: best {best['imageyard'] / best['plain']:.2f}x, "
          f"median {median['imageyard'] / median['plain']:.2f}x (target >= 0.90x)")  # fmt: skip
    print(f"  imageyard peak RSS: {rss_mib:.0f} MiB (target <= 1024 MiB)")


# ---------------------------------------------------------------- servers
@contextmanager
def fake_server(images: int) -> Iterator[str]:
    from imageyard.testing.fake_glance import Catalog, FakeGlance

    with FakeGlance(catalog=Catalog(images=images)) as fake:
        yield fake.url


def _lab_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def _lab_count(session: requests.Session) -> int:
    return plain_listing(LAB_URL)


@contextmanager
def lab_catalog(target: int, keep: bool) -> Iterator[str]:
    """The lab Glance with at least ``target`` images; the ones added are removed afterwards."""
    session = _lab_session()
    missing = max(target - _lab_count(session), 0)

    def create(i: int) -> str:
        body = {"name": f"bench-{i:05d}", "disk_format": "raw", "container_format": "bare"}
        resp = session.post(f"{LAB_URL}/v2/images", json=body, timeout=60)
        resp.raise_for_status()
        return str(resp.json()["id"])

    t0 = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(create, range(missing)))
    if created:
        print(f"(lab: created {len(created)} queued images in {time.perf_counter() - t0:.1f} s)")
    try:
        yield LAB_URL
    finally:
        if created and not keep:
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda i: session.delete(f"{LAB_URL}/v2/images/{i}", timeout=60),
                              created))  # fmt: skip
            print(f"(lab: removed the {len(created)} bench images)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=100_000, help="fake catalog size")
    parser.add_argument("--lab", type=int, default=0, help="also run against the lab, N images")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the lab bench images")
    parser.add_argument("--worker", choices=("plain", "imageyard"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.url)
        return 0
    if args.images:
        with fake_server(args.images) as url:
            compare(url, args.rounds, f"fake Glance ({url})")
    if args.lab:
        with lab_catalog(args.lab, args.keep) as url:
            compare(url, args.rounds, f"lab Glance ({url})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
