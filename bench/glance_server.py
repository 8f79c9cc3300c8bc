"""A second, throw-away Glance API for benchmarks: its own database, its own port.

The running lab provides the pieces (its PostgreSQL server, its Glance venv and its
configuration, read from ``$IMAGEYARD_LAB/lab.env``); the bench Glance gets a database of
its own (``imageyard_bench_<pid>``, schema by ``glance-manage db_sync``), a temporary
directory for its logs, locks and file stores, and a uWSGI with as many worker processes as
asked. The lab's own Glance and database are never touched. On exit uWSGI is stopped and the
database dropped, so nothing is left behind.

``server_cpu(pid)`` is the CPU time (user + system, seconds) of the uWSGI master and its
workers, read from ``/proc``: the server-side cost of a client run; ``database_cpu(name)``
that of the PostgreSQL backends serving the bench database (the same machine's cores).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from glance_db import Postgres

CONFIG_FILES = ("glance-api.conf", "glance-api-paste.ini", "policy.yaml", "glance-swift.conf",
                "ceph.conf", "glance-image-import.conf")  # fmt: skip
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Lab:
    """What the running lab provides to a bench Glance."""

    etc: Path
    venv: Path
    db_url: str

    @classmethod
    def from_env(cls) -> Lab:
        root = Path(os.environ.get("IMAGEYARD_LAB", "/tmp/imageyard-lab"))
        env = dict(_exports(root / "lab.env"))
        return cls(Path(env["IMAGEYARD_LAB_ETC"]), Path(env["GLANCE_LAB_VENV"]),
                   env["GLANCE_LAB_DB_URL"])  # fmt: skip

    def postgres(self, database: str) -> Postgres:
        parts = urlsplit(self.db_url)
        return Postgres(parts.hostname or "127.0.0.1", parts.port or 5432,
                        parts.username or "postgres", database)  # fmt: skip

    def db_url_for(self, database: str) -> str:
        return self.db_url.rsplit("/", 1)[0] + f"/{database}"


def _exports(path: Path) -> Iterator[tuple[str, str]]:
    for line in path.read_text().splitlines():
        m = re.match(r"export (\w+)=(.*)$", line)
        if m:
            yield m.group(1), m.group(2).strip("'\"")


@dataclass(frozen=True)
class BenchGlance:
    url: str
    pid: int
    db: Postgres
    processes: int
    workdir: Path  # removed when the context ends


def _patch(conf: Path, tmp: Path, port: int, db_url: str) -> None:
    """Point every stateful setting of the copied glance-api.conf into ``tmp``."""
    fixed = {
        "log_file": f"{tmp}/log/glance-api.log",
        "worker_self_reference_url": f"http://127.0.0.1:{port}",
        "image_cache_dir": f"{tmp}/cache",
        "connection": db_url,
        "work_dir": f"{tmp}/data/work",
        "lock_path": f"{tmp}/lock",
        "config_file": f"{tmp}/etc/glance-api-paste.ini",
        "policy_file": f"{tmp}/etc/policy.yaml",
        "swift_store_config_file": f"{tmp}/etc/glance-swift.conf",
        "rbd_store_ceph_conf": f"{tmp}/etc/ceph.conf",
    }
    out, section = [], "DEFAULT"
    for line in conf.read_text().splitlines():
        head = re.match(r"^\s*\[([^\]]+)\]", line)
        section = head.group(1) if head else section
        key = re.match(r"^\s*(\w+)\s*=", line)
        name = key.group(1) if key else None
        if name in fixed:
            line = f"{name} = {fixed[name]}"
        elif name == "filesystem_store_datadir":
            line = f"{name} = {tmp}/data/{section}"
            (tmp / "data" / section).mkdir(parents=True, exist_ok=True)
        out.append(line)
    conf.write_text("\n".join(out) + "\n")


def _uwsgi_ini(tmp: Path, venv: Path, port: int, processes: int, threads: int) -> Path:
    ini = tmp / "etc" / "uwsgi.ini"
    ini.write_text(f"""[uwsgi]
module = glance.wsgi.api:application
virtualenv = {venv}
env = OS_GLANCE_CONFIG_DIR={tmp}/etc
http-socket = 127.0.0.1:{port}
master = true
processes = {processes}
threads = {threads}
enable-threads = true
lazy-apps = true
die-on-term = true
exit-on-reload = false
thunder-lock = true
hook-master-start = unix_signal:15 gracefully_kill_them_all
buffer-size = 65535
add-header = Connection: close
http-keepalive = false
socket-timeout = 60
logto = {tmp}/log/uwsgi.log
""")
    return ini


def _wait(url: str, seconds: float, proc: subprocess.Popen[bytes]) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"bench Glance exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/versions", timeout=2) as resp:
                if resp.status in (200, 300):
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"bench Glance did not answer on {url} within {seconds:.0f} s")


def _check_free(port: int) -> None:
    """Refuse a port something already listens on (its answers would be taken for ours);
    the closing connections of a bench Glance just stopped there do not count."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uWSGI binds
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise RuntimeError(f"port {port} is in use ({exc.strerror}); choose another") from None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@contextmanager
def database(lab: Lab, name: str) -> Iterator[Postgres]:
    """A fresh Glance database ``name`` on the lab's server, dropped afterwards."""
    admin = lab.postgres("postgres")
    admin.run(f"DROP DATABASE IF EXISTS {name}")
    admin.run(f"CREATE DATABASE {name}")
    try:
        yield lab.postgres(name)
    finally:
        admin.run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def db_sync(lab: Lab, conf: Path) -> None:
    proc = subprocess.run(
        [str(lab.venv / "bin" / "glance-manage"), "--config-file", str(conf), "db_sync"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"glance-manage db_sync failed: {proc.stderr[-1500:]}")


@contextmanager
def bench_glance(
    lab: Lab, port: int, *, processes: int = 1, threads: int = 4, name: str | None = None
) -> Iterator[BenchGlance]:
    """A bench Glance with an empty catalog on ``port``; stopped and dropped on exit."""
    dbname = name or f"imageyard_bench_{os.getpid()}"
    _check_free(port)
    tmp = Path(tempfile.mkdtemp(prefix="imageyard-bench-glance."))
    try:
        (tmp / "etc").mkdir()
        for sub in ("log", "cache", "lock", "data/work"):
            (tmp / sub).mkdir(parents=True)
        for f in CONFIG_FILES:
            if (lab.etc / f).exists():
                shutil.copy(lab.etc / f, tmp / "etc" / f)
        conf = tmp / "etc" / "glance-api.conf"
        with database(lab, dbname) as db:
            _patch(conf, tmp, port, lab.db_url_for(dbname))
            db_sync(lab, conf)
            ini = _uwsgi_ini(tmp, lab.venv, port, processes, threads)
            proc = subprocess.Popen(
                [str(lab.venv / "bin" / "uwsgi"), "--ini", str(ini)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
            try:
                url = f"http://127.0.0.1:{port}"
                _wait(url, 90, proc)
                yield BenchGlance(url=url, pid=proc.pid, db=db, processes=processes, workdir=tmp)
            finally:
                _stop(proc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _ticks(pid: int | str) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def database_cpu(database: str) -> float:
    """CPU seconds (user + system) of the PostgreSQL backends now serving ``database``
    (``postgres: <user> <database> <client>``): Glance keeps its connections, so the
    difference of two readings is what a client run cost the database."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")[0].split()
        except OSError:
            continue
        if len(words) > 2 and words[0] == b"postgres:" and words[2] == database.encode():
            total += _ticks(entry.name)
    return total / _TICK


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the uWSGI master ``pid`` and its worker processes."""
    return sum(_ticks(p) for p in (pid, *_children(pid))) / _TICK
