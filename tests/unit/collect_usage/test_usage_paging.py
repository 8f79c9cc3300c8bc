"""The paging and retry functions against a scripted in-memory ``JsonHttp``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from imageyard.collect.base import NullProgress
from imageyard.collect.openstack import (
    Failure,
    HttpError,
    JsonObject,
    Params,
    RetryPolicy,
    get_with_retry,
)
from imageyard.collect.usage.common import flag, integer
from imageyard.collect.usage.nova import NovaCollector
from imageyard.collect.usage.paging import Listing, next_marker, walk
from imageyard.model.inventory import Inventory

Answer = Callable[[Params], JsonObject]


class Scripted:
    """A ``JsonHttp`` whose answers come from a function of the query parameters."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []

    def get_json(self, path: str, params: Params) -> JsonObject:
        self.calls.append(dict(params))
        return self.answer(params)


def _next(marker: str) -> list[dict[str, str]]:
    return [{"rel": "next", "href": f"https://elsewhere:8774/v2.1/servers/detail?marker={marker}"}]


NO_SLEEP = RetryPolicy(attempts=3, base_delay=0.0, sleep=lambda s: None)
LISTING = Listing("nova", "/servers/detail", "servers", {"all_tenants": 1}, limit=2)


def test_next_marker_reads_the_next_link_only() -> None:
    body = {"servers_links": [{"rel": "prev", "href": "x?marker=a"}, *_next("b")]}
    assert next_marker(body, "servers_links") == "b"
    assert next_marker({"servers_links": []}, "servers_links") is None
    assert next_marker({}, "servers_links") is None


def test_next_link_without_marker_is_a_gap() -> None:
    http = Scripted(lambda p: {"servers": [{"id": "a"}], "servers_links": [{"rel": "next"}]})
    result = walk(http, LISTING)
    assert result.gap is not None and "without a marker" in result.gap.error
    assert result.gap.scope == "servers" and result.entries == ()


def test_overlapping_pages_are_deduplicated() -> None:
    pages = {
        None: {"servers": [{"id": "a"}, {"id": "b"}], "servers_links": _next("b")},
        "b": {"servers": [{"id": "b"}, {"id": "c"}]},
    }
    http = Scripted(lambda p: pages[p.get("marker")])  # type: ignore[index]
    result = walk(http, LISTING)
    assert [e["id"] for e in result.entries] == ["a", "b", "c"] and result.gap is None
    assert http.calls[1] == {"all_tenants": 1, "limit": 2, "marker": "b"}


def test_repeated_marker_stops_with_a_gap() -> None:
    page = {"servers": [{"id": "a"}, {"id": "b"}], "servers_links": _next("b")}
    result = walk(Scripted(lambda p: page), LISTING)
    assert result.gap is not None and "loop" in result.gap.error
    assert result.gap.scope == "page after marker b"
    assert [e["id"] for e in result.entries] == ["a", "b"]


def test_malformed_body_is_a_gap_and_not_retried() -> None:
    http = Scripted(lambda p: {"error": "nope"})
    result = walk(http, LISTING)
    assert result.gap is not None and result.gap.error.startswith("malformed")
    assert len(http.calls) == 1


def test_entries_without_id_are_skipped_and_reported() -> None:
    http = Scripted(lambda p: {"servers": [{"id": "a"}, {"name": "x"}, "junk"]})
    inv = NovaCollector(http).collect(Inventory(), NullProgress())
    assert [s.id for s in inv.servers] == ["a"]
    assert any("without an id" in g.error for g in inv.gaps_for("nova"))
    assert not inv.is_complete("nova")


def test_backoff_is_bounded_and_exponential() -> None:
    policy = RetryPolicy(attempts=6, base_delay=0.5, max_delay=3.0)
    assert [policy.delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (HttpError("x", kind=Failure.STATUS, status=502), True),
        (HttpError("x", kind=Failure.TIMEOUT), True),
        (HttpError("x", kind=Failure.CONNECTION), True),
        (HttpError("x", kind=Failure.STATUS, status=404), False),
        (HttpError("x", kind=Failure.STATUS, status=401), False),
        (HttpError("x", kind=Failure.NO_ENDPOINT), False),
        (HttpError("x", kind=Failure.AUTH), False),
    ],
)
def test_only_retryable_errors_are_retried(error: HttpError, retried: bool) -> None:
    calls: list[Params] = []

    def fail(params: Params) -> JsonObject:
        calls.append(params)
        raise error

    with pytest.raises(HttpError):
        get_with_retry(Scripted(fail), "/x", {}, NO_SLEEP)
    assert len(calls) == (3 if retried else 1)


def test_cinder_string_fields() -> None:
    assert flag({"bootable": "true"}, "bootable") and not flag({"bootable": "false"}, "bootable")
    assert flag({"bootable": True}, "bootable") and not flag({}, "bootable")
    assert integer({"size": 10}, "size") == 10 and integer({"size": "3"}, "size") == 3
    assert integer({"size": None}, "size") == 0 and integer({}, "size") == 0
