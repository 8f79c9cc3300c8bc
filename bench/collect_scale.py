"""Glance collection at scale, against a real Glance: imageyard against plain clients.

A bench Glance (``glance_server``: the lab's Glance venv and PostgreSQL server, a database
and a uWSGI of its own on another port, with 1 or more worker processes) is filled with a
realistic catalog written straight into its database (``glance_db``), then each client runs
in its own process, alternating round by round, all fetching the same data:

* ``plain``: ``requests`` with ``limit=1000`` following ``next``, JSON-decoding each page,
  both listings imageyard reads (``visibility=all&member_status=all``, then with
  ``os_hidden=true``) and ``GET /v2/images/{id}/members`` for each shared image, one
  request at a time;
* ``sdk``: openstacksdk's ``images()`` for the same two listings (``limit=1000``) and
  ``members()`` for each shared image, the objects kept as a caller would;
* ``imageyard``: ``imageyard collect --sources glance`` (members included) writing its
  snapshot; with ``--no-members`` also a run without member requests;
* ``imageyard-db``: ``imageyard collect --sources config,glance --glance-db URL
  --glance-api-conf FILE``, the same records read from the bench Glance's database (no API
  request at all), shaped by its glance-api.conf (``direct_url``, store weights) as an
  operator's collect would be;
* ``imageyard-baseline`` (with ``--baseline-src DIR``): the same collect by the imageyard of
  another checkout, for a before/after comparison in one run;
* ``sdk-no-members``, ``imageyard-no-members``: the listings alone, for the peak RSS at a size
  where the catalog, not the interpreter, dominates (``--clients`` picks the clients).

For each: images/s, server CPU seconds (uWSGI master and workers, from ``/proc``; also per
image, and per second of the run: the cores the server got, which bounds the rate), the
database's (the PostgreSQL backends of the bench database, on the same cores), the
client's own CPU seconds (user + system, all its threads), peak RSS
(taken when the collection ends, before the check below reads anything) and the load
average while it ran (the machine is shared: the rates mean little without it); the ratios
imageyard/plain and imageyard/sdk; the snapshot bytes per image. Every client's ids are
compared with the first client's (plain, when it runs), and imageyard's records with plain's
image by image (``records``); any difference is printed and the bench exits 1. The catalog
and the bench database are removed afterwards. The lab must be up (``make lab-up``); its own
Glance and database are not touched.

Run: ``.venv/bin/python bench/collect_scale.py --images 20000 --processes 1,4``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import records
import requests
from glance_db import CatalogWriter, counts, write_catalog
from glance_server import Lab, bench_glance, database_cpu, server_cpu

# NOTE: Glance leaves community images out of every default list, even an admin's, and
# hidden images out unless asked for: both listings ask as imageyard does.
BASE = {"limit": "1000", "visibility": "all", "member_status": "all"}
PASSES = (BASE, {**BASE, "os_hidden": "true"})
CLIENTS = ("plain", "sdk", "imageyard", "imageyard-db")
# the listing alone (peak RSS at a size where the catalog, not the interpreter, dominates)
# and, with --baseline-src, the same collect by another checkout (before and after a change)
ALL_CLIENTS = (*CLIENTS, "imageyard-baseline", "sdk-no-members", "imageyard-no-members")
BASELINE = "IMAGEYARD_BENCH_BASELINE_SRC"


# ---------------------------------------------------------------- clients (child processes)
def peak_rss_mib() -> float:
    """This process's peak RSS (``VmHWM``), in MiB.

    Not ``getrusage``'s ``ru_maxrss``: Linux carries the parent's peak over ``fork`` and
    ``exec`` into it, so every client would show at least the bench's own RSS (the catalog
    rows it generated).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


class Measured:
    """Wall time, the client's CPU time (user + system, all its threads) and peak RSS of the
    block; what is done after it (the record check) is not counted."""

    def __enter__(self) -> Measured:
        self.t0 = time.perf_counter()
        self.cpu0 = time.process_time()
        self.load0 = os.getloadavg()[0]
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0
        self.cpu = time.process_time() - self.cpu0
        self.rss_mib = peak_rss_mib()
        self.load = (self.load0 + os.getloadavg()[0]) / 2

    def result(self, **fields: Any) -> dict[str, Any]:
        return {"seconds": self.seconds, "cpu": self.cpu, "rss_mib": self.rss_mib,
                "load": self.load, **fields}  # fmt: skip


def plain_client(url: str) -> dict[str, Any]:
    session = requests.Session()
    session.trust_env = False
    images: dict[str, Any] = {}
    members: dict[str, list[Any]] = {}
    with Measured() as m:
        for params in PASSES:
            query = "&".join(f"{k}={v}" for k, v in params.items())
            next_url: str | None = f"{url}/v2/images?{query}"
            while next_url:
                body = session.get(next_url, timeout=120).json()
                for image in body["images"]:
                    images[image["id"]] = image
                nxt = body.get("next")
                next_url = f"{url}{nxt}" if nxt else None
        for image_id, image in images.items():
            if image["visibility"] == "shared":
                answer = session.get(f"{url}/v2/images/{image_id}/members", timeout=120)
                members[image_id] = answer.json()["members"]
    fingerprints = {i: records.from_api(b, members.get(i, [])) for i, b in images.items()}
    return m.result(images=len(images), member_calls=len(members), records=fingerprints)


def sdk_client(url: str, members: bool = True) -> dict[str, Any]:
    import openstack

    conn = openstack.connect(
        auth_type="none", image_endpoint_override=url, load_yaml_config=False,
        load_envvars=False,
    )  # fmt: skip
    images: dict[str, Any] = {}
    with Measured() as m:
        for hidden in (False, True):
            query = {"visibility": "all", "member_status": "all", "limit": 1000}
            for image in conn.image.images(**query, is_hidden=hidden):
                images[image.id] = image
        members = {i: list(conn.image.members(i)) for i, img in images.items()
                   if members and img.visibility == "shared"}  # fmt: skip
    return m.result(images=len(images), member_calls=len(members),
                    records=records.ids_only(images))  # fmt: skip


def imageyard_client(
    url: str, members: bool = True, db: str | None = None, conf: str | None = None
) -> dict[str, Any]:
    """``imageyard collect``; from the database ``db`` with the bench Glance's ``conf`` (its
    ``show_image_direct_url`` and store weights shape the records as the API does)."""
    from imageyard.cli import run

    with tempfile.TemporaryDirectory(prefix="imageyard-bench.") as tmp:
        out = Path(tmp) / "inventory.json"
        args = ["collect", "--sources", "config,glance" if conf else "glance", "-q", "-o", str(out)]
        if db:
            args += ["--glance-db", db] + (["--glance-api-conf", conf] if conf else [])
        else:
            args += ["--glance-endpoint", url, "--members" if members else "--no-members"]
        with Measured() as m:
            code = run(args)
        if code != 0:
            raise SystemExit(f"imageyard collect exited {code}")
        snapshot = json.loads(out.read_text())
        glance = next(s for s in snapshot["sources"] if s["source"] == "glance")
        if not glance["complete"]:
            raise SystemExit(f"imageyard collect left gaps: {snapshot['gaps'][:3]}")
        fingerprints = {r["id"]: records.from_snapshot(r) for r in snapshot["images"]}
        if not members:  # the members left unread are not compared
            fingerprints = records.ids_only(fingerprints)
        return m.result(images=len(snapshot["images"]), snapshot_bytes=out.stat().st_size,
                        detail=glance["detail"], records=fingerprints)  # fmt: skip


def worker(kind: str, url: str, db: str, conf: str) -> None:
    import openstack  # noqa: F401

    import imageyard.cli  # noqa: F401  (start-up imports are not listing speed)

    run = {
        "plain": plain_client,
        "sdk": sdk_client,
        "imageyard": imageyard_client,
        "imageyard-baseline": imageyard_client,
        "sdk-no-members": lambda u: sdk_client(u, members=False),
        "imageyard-no-members": lambda u: imageyard_client(u, members=False),
        "imageyard-db": lambda u: imageyard_client(u, db=db, conf=conf),
    }[kind]
    print(json.dumps(run(url)))


# ---------------------------------------------------------------- the comparison
def measure(kind: str, url: str, pid: int, db: str, conf: str) -> dict[str, Any]:
    env = dict(os.environ)
    if kind == "imageyard-baseline":  # another checkout's imageyard, imported first
        env["PYTHONPATH"] = env[BASELINE]
    database = db.rsplit("/", 1)[1]
    cpu0, db0 = server_cpu(pid), database_cpu(database)
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--url", url, "--db", db, "--conf", conf],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"{kind} client failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["server_cpu"] = server_cpu(pid) - cpu0
    result["db_cpu"] = database_cpu(database) - db0
    result["rate"] = result["images"] / result["seconds"]
    return result


def _row(kind: str, rs: list[dict[str, Any]]) -> str:
    rate = statistics.median(r["rate"] for r in rs)
    cpu = statistics.median(r["server_cpu"] for r in rs)
    rss = max(r["rss_mib"] for r in rs)
    load = statistics.median(r["load"] for r in rs)
    per_image = statistics.median(1000 * r["server_cpu"] / max(r["images"], 1) for r in rs)
    cores = statistics.median(r["server_cpu"] / r["seconds"] for r in rs)
    client = statistics.median(r["cpu"] for r in rs)
    database = statistics.median(r["db_cpu"] for r in rs)
    return (f"  {kind:<21} {rate:>8.0f} images/s  server CPU {cpu:>6.1f} s "
            f"({per_image:.2f} ms/image, {cores:.2f} cores)  database CPU {database:>5.1f} s  "
            f"client CPU {client:>6.1f} s  "
            f"peak RSS {rss:>6.0f} MiB  load average {load:4.1f}")  # fmt: skip


def _ratio(name: str, a: str, b: str, runs: dict[str, list[dict[str, Any]]]) -> None:
    if a not in runs or b not in runs:
        return
    med = {k: statistics.median(r["rate"] for r in runs[k]) for k in (a, b)}
    cpu = {k: statistics.median(r["server_cpu"] for r in runs[k]) for k in (a, b)}
    rss = {k: max(r["rss_mib"] for r in runs[k]) for k in (a, b)}
    print(f"  {name}: speed {med[a] / med[b]:.2f}x, server CPU {cpu[a] / max(cpu[b], 0.01):.2f}x,"
          f" peak RSS {rss[a] / rss[b]:.2f}x")  # fmt: skip


def report(label: str, expected: int, runs: dict[str, list[dict[str, Any]]]) -> None:
    rounds = len(next(iter(runs.values())))
    print(f"== {label}: {expected} images, {rounds} rounds, clients alternating")
    for kind, rs in runs.items():
        print(_row(kind, rs))
    _ratio("imageyard/plain", "imageyard", "plain", runs)
    _ratio("imageyard/sdk  ", "imageyard", "sdk", runs)
    _ratio("imageyard/imageyard-baseline", "imageyard", "imageyard-baseline", runs)
    _ratio("imageyard-baseline/plain", "imageyard-baseline", "plain", runs)
    _ratio("imageyard --no-members/plain", "imageyard-no-members", "plain", runs)
    _ratio("imageyard/sdk, listings alone", "imageyard-no-members", "sdk-no-members", runs)
    _ratio("imageyard --glance-db/plain", "imageyard-db", "plain", runs)
    for kind in ("imageyard", "imageyard-baseline", "imageyard-db"):
        for r in runs.get(kind, []):
            print(f"  {kind}: {r['detail']}")
    sizes = [r["snapshot_bytes"] for r in runs.get("imageyard", [])]
    if sizes:
        print(f"  snapshot: {sizes[0] / expected:.0f} bytes per image")


def compare(
    url: str, pid: int, rounds: int, kinds: tuple[str, ...], expected: int, db: str, conf: str
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Every client ``rounds`` times, alternating; and how each one's records differ from
    the plain listing's (ids, and record by record where the client has them)."""
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    problems: list[str] = []
    for _ in range(rounds):
        wanted: dict[str, str | None] | None = None
        for kind in kinds:
            result = measure(kind, url, pid, db, conf)
            if result["images"] != expected:
                problems.append(f"{kind} saw {result['images']} images, expected {expected}")
            got = result.pop("records")
            if wanted is None:  # the first client (plain, when it runs) is the reference
                wanted = got
            elif wanted is not None:
                problems += [f"{kind}: {d}" for d in records.differences(wanted, got)]
            runs[kind].append(result)
    return runs, problems


def run_one(lab: Lab, args: argparse.Namespace, processes: int) -> bool:
    with bench_glance(lab, args.port, processes=processes, threads=args.threads) as glance:
        t0 = time.perf_counter()
        rows = CatalogWriter(seed=args.seed).rows(args.images)
        write_catalog(glance.db, rows)
        print(f"(catalog: {rows.listed} listed images, {rows.shared} shared, {rows.hidden} "
              f"hidden, {counts(glance.db)} rows, written in "
              f"{time.perf_counter() - t0:.1f} s)", flush=True)  # fmt: skip
        kinds = _kinds(args)
        db = glance.db
        db_url = f"postgresql+psycopg2://{db.user}@{db.host}:{db.port}/{db.database}"
        conf = str(glance.workdir / "etc" / "glance-api.conf")
        runs, problems = compare(glance.url, glance.pid, args.rounds, kinds, rows.listed, db_url,
                                 conf)  # fmt: skip
        label = f"bench Glance, {processes} uWSGI process(es) x {args.threads} threads"
        report(label, rows.listed, runs)
        for problem in problems:
            print(f"  NOT THE SAME CATALOG: {problem}")
        if not problems and kinds[0] == "plain":
            print("  records: every client listed the plain listing's ids; imageyard's records "
                  "equal plain's, image by image")  # fmt: skip
        elif not problems:
            print(f"  records: every client listed the same ids as {kinds[0]}")
    print("(bench Glance stopped, its database dropped)", flush=True)
    return not problems


def _kinds(args: argparse.Namespace) -> tuple[str, ...]:
    kinds = {k.strip() for k in args.clients.split(",") if k.strip()}
    kinds |= {"imageyard-no-members"} if args.no_members else set()
    kinds |= {"imageyard-baseline"} if args.baseline_src else set()
    return tuple(sorted(kinds, key=lambda k: ALL_CLIENTS.index(k) if k in ALL_CLIENTS else -1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20_000, help="catalog size")
    parser.add_argument("--processes", default="1,4", help="uWSGI processes, comma list")
    parser.add_argument("--threads", type=int, default=4, help="uWSGI threads per process")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=9492, help="bench Glance port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-members", action="store_true",
                        help="also run imageyard collect --no-members")  # fmt: skip
    parser.add_argument(
        "--clients",
        default=",".join(CLIENTS),
        help="comma list of the clients to run (plain first: the reference)",
    )
    parser.add_argument("--baseline-src", metavar="DIR",
                        help="also run imageyard-baseline: collect with the imageyard package "
                             "of DIR (another checkout's src/) imported instead")  # fmt: skip
    parser.add_argument("--worker", choices=ALL_CLIENTS,
                        help=argparse.SUPPRESS)  # fmt: skip
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--conf", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.url, args.db, args.conf)
        return 0
    if args.baseline_src:
        os.environ[BASELINE] = str(Path(args.baseline_src).resolve())
    if any(k not in ALL_CLIENTS for k in _kinds(args)):
        parser.error(f"--clients: choose among {', '.join(CLIENTS)}")
    lab = Lab.from_env()
    try:
        same = [run_one(lab, args, int(p)) for p in args.processes.split(",")]
    except RuntimeError as exc:  # the lab's PostgreSQL, the bench Glance, a port in use
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"collect_scale: {first} (is the lab up? make lab-up)", file=sys.stderr)
        return 2
    return 0 if all(same) else 1


if __name__ == "__main__":
    sys.exit(main())
