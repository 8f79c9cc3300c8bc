"""Nova and Cinder collectors through the real openstacksdk client against the fake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from usage_fixtures import Sleeps, override_connection, password_connection

from imageyard.collect.base import Collector, NullProgress, run_collectors
from imageyard.collect.openstack import BLOCK_STORAGE, COMPUTE, RetryPolicy, SdkJsonHttp, connect
from imageyard.collect.usage import CinderCollector, NovaCollector, usage_collectors
from imageyard.errors import UsageError
from imageyard.model.inventory import Inventory
from imageyard.testing.fake_compute import FakeCompute, fake_server, fake_volume


def _nova(conn: Any, retry: RetryPolicy, limit: int = 1000) -> NovaCollector:
    return NovaCollector(SdkJsonHttp(conn, COMPUTE, policy=retry), limit=limit)


def _cinder(conn: Any, retry: RetryPolicy, limit: int = 1000) -> CinderCollector:
    return CinderCollector(SdkJsonHttp(conn, BLOCK_STORAGE, policy=retry), limit=limit)


def _servers(n: int) -> list[dict[str, Any]]:
    return [fake_server(f"s-{i:03d}", image_id=f"img-{i % 3}") for i in range(n)]


def test_collectors_fit_the_protocol(conn: Any, retry: RetryPolicy) -> None:
    collectors: list[Collector] = [_nova(conn, retry), _cinder(conn, retry)]
    assert [c.name for c in collectors] == ["nova", "cinder"]


def test_servers_paged_without_duplicates_or_holes(
    fake: FakeCompute, conn: Any, retry: RetryPolicy
) -> None:
    fake.servers = _servers(10)
    inv = _nova(conn, retry, limit=3).collect(Inventory(), NullProgress())
    assert [s.id for s in inv.servers] == [f"s-{i:03d}" for i in range(10)]
    assert inv.is_complete("nova") and not inv.gaps
    status = inv.source_status("nova")
    assert status is not None and status.items == 10 and "4 pages" in status.detail
    queries = [q for _m, p, q in fake.requests if p.endswith("/servers/detail")]
    assert [q.get("marker") for q in queries] == [None, "s-002", "s-005", "s-008"]
    assert all(q["all_tenants"] == "1" and q["limit"] == "3" for q in queries)


def test_server_caps_limit_below_ours(fake: FakeCompute, conn: Any, retry: RetryPolicy) -> None:
    fake.servers = _servers(9)
    fake.max_limit = 4
    inv = _nova(conn, retry).collect(Inventory(), NullProgress())
    assert len({s.id for s in inv.servers}) == len(inv.servers) == 9
    assert inv.is_complete("nova")


def test_exact_multiple_of_limit_ends_on_empty_page(
    fake: FakeCompute, conn: Any, retry: RetryPolicy
) -> None:
    fake.servers = _servers(6)
    inv = _nova(conn, retry, limit=3).collect(Inventory(), NullProgress())
    assert len(inv.servers) == 6 and inv.is_complete("nova")
    assert fake.count("/servers/detail") == 3


def test_server_fields_and_boot_from_volume(
    fake: FakeCompute, conn: Any, retry: RetryPolicy
) -> None:
    fake.servers = [
        fake_server(
            "a",
            image_id="img-1",
            project="p-a",
            host="cmp-7",
            zone="az1",
            name="web",
            created="2026-03-04T05:06:07Z",
        ),
        fake_server("b", image_id=None, status="SHUTOFF"),
    ]
    inv = _nova(conn, retry).collect(Inventory(), NullProgress())
    a, b = inv.servers
    assert (a.name, a.project, a.image_ref, a.host, a.availability_zone, a.status) == (
        "web",
        "p-a",
        "img-1",
        "cmp-7",
        "az1",
        "ACTIVE",
    )
    assert b.image_ref is None and b.boots_from_volume and b.status == "SHUTOFF"
    assert a.created_at == "2026-03-04T05:06:07Z"
    assert inv.servers_using("img-1") == (a,)


def test_volume_fields_and_image_metadata(fake: FakeCompute, conn: Any, retry: RetryPolicy) -> None:
    fake.volumes = [
        fake_volume("v1", image_id="img-1", image_name="cirros", size=20, project="p-a"),
        fake_volume("v2", host="cinder-2@lvm#lvm", volume_type=None),
    ]
    inv = _cinder(conn, retry).collect(Inventory(), NullProgress())
    v1, v2 = inv.volumes
    assert (v1.bootable, v1.image_id, v1.image_name, v1.size, v1.project) == (
        True,
        "img-1",
        "cirros",
        20,
        "p-a",
    )
    assert v1.backend_host == "cinder-1@ceph#ceph" and v1.volume_type == "__DEFAULT__"
    assert (v2.bootable, v2.image_id, v2.image_name) == (False, None, None)
    assert v2.backend_host == "cinder-2@lvm#lvm" and v2.volume_type is None
    assert inv.volumes_from("img-1") == (v1,) and inv.is_complete("cinder")


def test_volumes_paged(fake: FakeCompute, conn: Any, retry: RetryPolicy) -> None:
    fake.volumes = [fake_volume(f"v-{i:02d}") for i in range(7)]
    inv = _cinder(conn, retry, limit=2).collect(Inventory(), NullProgress())
    assert [v.id for v in inv.volumes] == [f"v-{i:02d}" for i in range(7)]
    assert inv.is_complete("cinder")


def test_forbidden_is_a_gap_not_retried(
    fake: FakeCompute, conn: Any, retry: RetryPolicy, sleeps: Sleeps
) -> None:
    fake.servers = _servers(2)
    fake.fail("/servers/detail", status=403, times=None)
    inv = _nova(conn, retry).collect(Inventory(), NullProgress())
    assert inv.servers == ()
    (gap,) = inv.gaps_for("nova")
    assert gap.scope == "servers" and gap.error.startswith("HTTP 403")
    assert not inv.is_complete("nova")
    status = inv.source_status("nova")
    assert status is not None and not status.complete
    assert fake.count("/servers/detail") == 1 and sleeps.delays == []


def test_500_mid_pagination_keeps_pages_read_and_gaps_the_rest(
    fake: FakeCompute, conn: Any, retry: RetryPolicy, sleeps: Sleeps
) -> None:
    fake.servers = _servers(10)
    fake.fail("/servers/detail", status=500, marker="s-005", times=None)
    inv = _nova(conn, retry, limit=3).collect(Inventory(), NullProgress())
    assert [s.id for s in inv.servers] == [f"s-{i:03d}" for i in range(6)]
    (gap,) = inv.gaps_for("nova")
    assert gap.scope == "page after marker s-005"
    assert gap.error.startswith("HTTP 500") and "after 3 attempts" in gap.error
    assert not inv.is_complete("nova")
    assert sleeps.delays == [0.01, 0.02]


def test_transient_500_then_success_is_complete(
    fake: FakeCompute, conn: Any, retry: RetryPolicy, sleeps: Sleeps
) -> None:
    fake.volumes = [fake_volume(f"v-{i}") for i in range(5)]
    fake.fail("/volumes/detail", status=503, marker="v-1", times=2)
    inv = _cinder(conn, retry, limit=2).collect(Inventory(), NullProgress())
    assert [v.id for v in inv.volumes] == [f"v-{i}" for i in range(5)]
    assert inv.is_complete("cinder") and not inv.gaps
    assert sleeps.delays == [0.01, 0.02]


def test_timeout_is_a_gap(fake: FakeCompute, retry: RetryPolicy, sleeps: Sleeps) -> None:
    conn = override_connection(fake, timeout=0.3)
    fake.volumes = [fake_volume("v-1")]
    fake.fail("/volumes/detail", delay=1.0, times=None)
    inv = _cinder(conn, retry).collect(Inventory(), NullProgress())
    (gap,) = inv.gaps_for("cinder")
    assert gap.scope == "volumes" and gap.error.startswith("timeout")
    assert "after 3 attempts" in gap.error and len(sleeps.delays) == 2
    assert not inv.is_complete("cinder")


def test_missing_endpoints_in_catalog_are_gaps(fake: FakeCompute, retry: RetryPolicy) -> None:
    fake.catalog = ("image",)
    nova, cinder = usage_collectors(password_connection(fake), retry)
    inv = run_collectors([nova, cinder], Inventory())
    for source, scope in (("nova", "servers"), ("cinder", "volumes")):
        (gap,) = inv.gaps_for(source)
        assert gap.scope == scope and gap.error.startswith("no-endpoint")
        assert not inv.is_complete(source)
    assert fake.count("/servers/detail") == fake.count("/volumes/detail") == 0


def test_catalog_endpoints_are_used(fake: FakeCompute, retry: RetryPolicy) -> None:
    fake.servers = _servers(2)
    fake.volumes = [fake_volume("v-1", image_id="img-0")]
    inv = run_collectors(usage_collectors(password_connection(fake), retry), Inventory())
    assert len(inv.servers) == 2 and len(inv.volumes) == 1
    assert inv.is_complete("nova") and inv.is_complete("cinder")


def test_unauthorized_token_is_a_gap(fake: FakeCompute, retry: RetryPolicy) -> None:
    fake.fail("/auth/tokens", status=401, times=None)
    inv = run_collectors(usage_collectors(password_connection(fake), retry), Inventory())
    for source in ("nova", "cinder"):
        (gap,) = inv.gaps_for(source)
        assert gap.error.startswith("HTTP 401")
        assert not inv.is_complete(source)


def test_unreachable_endpoint_is_a_gap(retry: RetryPolicy, sleeps: Sleeps) -> None:
    with FakeCompute() as gone:
        url = gone.compute_url
    conn = open_closed(url)
    inv = NovaCollector(SdkJsonHttp(conn, COMPUTE, policy=retry)).collect(
        Inventory(), NullProgress()
    )
    (gap,) = inv.gaps_for("nova")
    assert gap.scope == "servers" and gap.error.startswith("connection")
    assert len(sleeps.delays) == 2 and not inv.is_complete("nova")


def open_closed(url: str) -> Any:
    return connect(
        auth_type="none", endpoint_overrides={COMPUTE: url}, timeout=1.0, load_config=False
    )


def test_non_admin_answer_is_a_gap(fake: FakeCompute, conn: Any, retry: RetryPolicy) -> None:
    fake.hide_admin_attributes = True
    fake.servers = _servers(2)
    fake.volumes = [fake_volume("v-1")]
    inv = run_collectors([_nova(conn, retry), _cinder(conn, retry)], Inventory())
    assert len(inv.servers) == 2 and inv.servers[0].host is None
    assert len(inv.volumes) == 1 and inv.volumes[0].project is None
    for source, key in (("nova", "OS-EXT-SRV-ATTR:host"), ("cinder", "os-vol-host-attr:host")):
        (gap,) = inv.gaps_for(source)
        assert key in gap.error and not inv.is_complete(source)


def test_empty_cloud_is_complete(conn: Any, retry: RetryPolicy) -> None:
    inv = run_collectors([_nova(conn, retry), _cinder(conn, retry)], Inventory())
    assert inv.servers == () and inv.volumes == ()
    assert inv.is_complete("nova") and inv.is_complete("cinder")


@pytest.mark.parametrize("text", ["clouds: {}\n", "clouds:\n  broken: 3\n"])
def test_unknown_or_malformed_cloud_is_a_usage_error(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(text)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    with pytest.raises(UsageError, match="cloud 'broken'"):
        connect("broken")
