"""The parallel, sliced image listing against a Glance-like pager: exactly the sequential ids."""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from paging_fake import PagingGlance, Row

from imageyard.collect.glance.inflight import LISTED, Work
from imageyard.collect.glance.listing import PageStream, grown, peek_created
from imageyard.collect.glance.parallel import Pacer, ParallelListing
from imageyard.collect.glance.slices import Slice, seconds, stamp

T0 = datetime(2024, 1, 1)
BASE = {"limit": "50", "visibility": "all", "member_status": "all"}
PASSES = (("images", BASE), ("hidden images", {**BASE, "os_hidden": "true"}))


def catalog(n: int, seed: int = 3) -> list[Row]:
    """``n`` rows; many share a second (sub-second times differ), some share a whole time."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        when = T0 + timedelta(
            seconds=rng.randrange(0, n // 3), microseconds=rng.randrange(3) * 1000
        )
        visibility = rng.choice(("private", "shared", "public", "community"))
        rows.append(Row(f"{rng.getrandbits(64):016x}-{i}", when, visibility, rng.random() < 0.1))
    return rows


class Scripted(Pacer):
    """A pacer whose level follows a script, one entry per page (then stays at the last)."""

    def __init__(self, levels: list[int]) -> None:
        super().__init__(most=max(levels))
        self.script = list(levels)
        self.level = self.script.pop(0)

    def observe(self, images: int) -> None:
        if self.script:
            self.level = self.script.pop(0)


def sequential(glance: PagingGlance) -> list[str]:
    with ThreadPoolExecutor(4) as pool:
        listing = ParallelListing(glance, PASSES, pool, Pacer(most=1))
        return [str(i["id"]) for page in listing.pages() for i in page]


def sliced(glance: PagingGlance, pacer: Pacer) -> tuple[list[str], ParallelListing]:
    with ThreadPoolExecutor(12) as pool:
        listing = ParallelListing(glance, PASSES, pool, pacer, min_split=20)
        ids = [str(i["id"]) for page in listing.pages() for i in page]
    return ids, listing


@pytest.mark.parametrize("levels", [[1, 2, 4, 6], [1, 3, 3, 5, 2, 1, 1, 4, 6, 2], [6]])
def test_slices_list_exactly_the_sequential_ids(levels: list[int]) -> None:
    rows = catalog(1500)
    expected = sequential(PagingGlance(rows))
    assert len(expected) == len(set(expected)) == len(rows)  # visibility=all: every row
    ids, listing = sliced(PagingGlance(rows), Scripted(levels))
    assert Counter(ids) == Counter(expected)  # no image lost, none twice
    assert len(listing.slices) > 2 and listing.most_at_once > 1
    assert not listing.errors


def test_every_list_request_is_told_to_the_work_meter() -> None:
    rows = catalog(1500)
    ticks = itertools.count()
    work = Work(clock=lambda: float(next(ticks)))  # each request takes a tick at least
    with ThreadPoolExecutor(4) as pool:
        listing = ParallelListing(PagingGlance(rows), PASSES, pool, Pacer(most=1, work=work))
        ids = [str(i["id"]) for page in listing.pages() for i in page]
    assert len(ids) == len(rows)
    assert work.done == pytest.approx(len(ids) * LISTED)  # every page's images, once
    after = work.clock()
    assert work.listing(0.0, after) == pytest.approx(len(ids) * LISTED)
    assert work.listing(after, after + 10) == 0.0  # none left on its way


def test_split_slices_ask_glance_for_their_own_upper_bound() -> None:
    glance = PagingGlance(catalog(900))
    sliced(glance, Scripted([4]))
    bounds = {r["created_at"] for r in glance.requests if "created_at" in r}
    assert bounds and all(b.startswith("lt:") and b.endswith("Z") for b in bounds)
    oldest = [r for r in glance.requests if r.get("sort_dir") == "asc"]
    passes = [r.get("os_hidden") for r in oldest]
    assert oldest and len(passes) == len(set(passes))  # at most once per pass
    assert all(r["limit"] == "1" for r in oldest)


def test_images_added_and_deleted_while_listing_never_come_twice() -> None:
    rows = catalog(1200, seed=8)
    rng = random.Random(5)
    original = {r.id for r in rows}
    deleted: set[str] = set()
    added: set[str] = set()

    def churn(glance: PagingGlance) -> None:
        newest = max(r.created_at for r in glance.rows.values())
        row = Row(f"new-{len(added)}", newest + timedelta(seconds=1), "private")
        glance.rows[row.id] = row
        added.add(row.id)
        victim = rng.choice(sorted(original - glance.markers - deleted))
        glance.rows[victim].deleted = True
        deleted.add(victim)

    ids, listing = sliced(PagingGlance(rows, between=churn), Scripted([1, 2, 3, 5]))
    counts = Counter(ids)
    assert max(counts.values()) == 1  # nothing twice
    assert (original - deleted) <= set(counts)  # every image that stayed was listed
    assert set(counts) <= original | added  # nothing invented
    assert not listing.errors and listing.most_at_once > 1


def test_a_split_point_separates_images_of_the_same_second_by_their_shown_time() -> None:
    piece = Slice("images", {"limit": "10"})
    piece.newest, piece.position, piece.received = seconds("2024-01-01T00:10:00Z"), 600 + 0, 10
    piece.position = seconds("2024-01-01T00:05:00Z")
    child = piece.split(oldest=seconds("2024-01-01T00:00:00Z"))
    assert child is not None
    assert child.params["created_at"] == "lt:2024-01-01T00:02:30Z"
    assert piece.lower == seconds("2024-01-01T00:02:30Z") and child.lower is None
    page = [{"id": "a", "created_at": "2024-01-01T00:02:30Z"},
            {"id": "b", "created_at": "2024-01-01T00:02:29Z"}]  # fmt: skip
    assert piece._clip(page) == page[:1]  # the rest belongs to the child


def test_a_slice_too_short_to_split_is_not_split() -> None:
    piece = Slice("images", {})
    piece.newest = piece.position = seconds("2024-01-01T00:00:01Z")
    assert piece.split(oldest=seconds("2024-01-01T00:00:00Z")) is None


def test_stamp_and_seconds_round_trip() -> None:
    assert stamp(seconds("2024-02-29T23:59:59Z") or 0) == "2024-02-29T23:59:59Z"
    assert seconds("not a time") is None and seconds(None) is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_pacer(rate_at: dict[int, float], pages: int = 200) -> Pacer:
    """Feed a pacer pages of 1,000 images arriving at ``rate_at[level]`` images/s."""
    clock = Clock()
    pacer = Pacer(most=6, clock=clock)
    for _ in range(pages):
        clock.now += 1000 / rate_at[pacer.level]
        pacer.observe(1000)
    return pacer


def test_a_server_that_is_no_faster_with_more_connections_stays_sequential() -> None:
    pacer = run_pacer(dict.fromkeys(range(1, 7), 300.0))
    assert pacer.level == 1
    assert [level for level, _ in pacer.history] == [1, 2]


def test_connections_are_added_while_the_throughput_grows() -> None:
    pacer = run_pacer({1: 200.0, 2: 380.0, 3: 520.0, 4: 540.0, 5: 540.0, 6: 540.0})
    assert pacer.level == 3
    assert [level for level, _ in pacer.history] == [1, 2, 3, 4]


def test_connections_that_only_take_the_server_from_the_members_are_not_added() -> None:
    # a server doing 100 member requests/s, or 1,000 listed images/s, shared in equal parts
    # by the list connections and 8 member requests in flight
    def listing(work: Work | None) -> Pacer:
        clock, meter = Clock(), Work()
        pacer = Pacer(most=6, clock=clock, work=work)
        for _ in range(60):
            level = pacer.level
            step = 1000 / (100.0 / LISTED * level / (level + 8))  # one page's time
            clock.now += step
            (work or meter).add(100.0 * 8 / (level + 8) * step)  # the members meanwhile
            (work or meter).add(1000 * LISTED)  # the page's work, told by its request
            pacer.observe(1000)
        return pacer

    alone = listing(None)  # the listed images alone: a larger share looks faster
    assert alone.level > 1
    shared = listing(Work())
    assert shared.level == 1 and [level for level, _ in shared.history] == [1, 2]


def test_one_connection_at_most_never_probes() -> None:
    clock = Clock()
    pacer = Pacer(most=1, clock=clock)
    for _ in range(20):
        clock.now += 1
        pacer.observe(1000)
    assert pacer.level == 1 and pacer.history == []


def test_no_page_is_asked_for_after_one_that_passes_the_stop() -> None:
    rows = catalog(1500, seed=11)
    glance = PagingGlance(rows)
    shown = {r.id: seconds(r.body()["created_at"]) or 0 for r in rows if not r.os_hidden}
    stop = sorted(shown.values())[len(rows) // 2]
    with ThreadPoolExecutor(4) as pool:
        stream = PageStream(glance, BASE, pool, ended=lambda c: (seconds(c) or 0) < stop)
        got = [str(i["id"]) for page in stream.pages() for i in page]
    assert {i for i in got if shown[i] >= stop} == {i for i in shown if shown[i] >= stop}
    assert len(got) - sum(shown[i] >= stop for i in got) < 50  # one page passes the stop
    followed = [r["marker"] for r in glance.requests if "marker" in r]  # early or late
    assert followed and all(shown[marker] >= stop for marker in followed)


def test_a_slice_is_past_its_stop_only_with_a_stop_and_a_readable_older_time() -> None:
    piece = Slice("images", {})
    assert not piece.past_stop("2024-01-01T00:00:00Z")
    piece.lower = seconds("2024-01-01T00:00:01Z")
    assert piece.past_stop("2024-01-01T00:00:00Z")
    assert not piece.past_stop("2024-01-01T00:00:01Z") and not piece.past_stop(None)


def test_the_last_created_at_of_a_raw_page_is_read_from_its_tail() -> None:
    page = {
        "images": [{"id": "a", "created_at": "2024-01-02T00:00:00Z", "name": 'x "created_at"'},
                   {"id": "b", "created_at": "2024-01-01T00:00:00Z", "tags": []}],
        "first": "/v2/images?created_at=lt%3A2024-05-01T00%3A00%3A00Z",
        "schema": "/v2/schemas/images",
        "next": "/v2/images?created_at=lt%3A2024-05-01T00%3A00%3A00Z&marker=b",
    }  # fmt: skip
    assert peek_created(json.dumps(page).encode()) == "2024-01-01T00:00:00Z"
    assert peek_created(json.dumps({"images": []}).encode()) is None


def test_a_ramped_stream_lists_the_same_ids_small_pages_first() -> None:
    rows = catalog(600, seed=5)
    plain, ramped = PagingGlance(rows), PagingGlance(rows)
    with ThreadPoolExecutor(4) as pool:
        want = [i["id"] for page in PageStream(plain, BASE, pool).pages() for i in page]
        got = [
            i["id"] for page in PageStream(ramped, BASE, pool, ramp=(10, 20)).pages() for i in page
        ]
    assert got == want and len(want) == sum(not row.os_hidden for row in rows)
    limits = [int(r["limit"]) for r in ramped.requests]
    assert limits[:3] == [10, 20, 50] and set(limits[3:]) == {50}
    assert len(ramped.requests) <= len(plain.requests) + 2  # at most a page more a step


def test_a_ramp_at_or_beyond_the_limit_changes_nothing() -> None:
    rows = catalog(200, seed=6)
    glance = PagingGlance(rows)
    with ThreadPoolExecutor(4) as pool:
        pages = list(PageStream(glance, BASE, pool, ramp=(50, 80)).pages())
    assert [int(r["limit"]) for r in glance.requests] == [50] * len(glance.requests)
    assert sum(len(p) for p in pages) == sum(not row.os_hidden for row in rows)


def test_a_next_link_grows_to_the_next_step_and_keeps_the_rest_verbatim() -> None:
    ramp = ("100", "400", "1000")
    link = "/v2/images?limit=100&visibility=all&created_at=lt%3A2024-01-01T00%3A00%3A00Z&marker=x"
    assert grown(link, ramp) == link.replace("limit=100", "limit=400")
    assert grown("/v2/images?marker=x&limit=400", ramp) == "/v2/images?marker=x&limit=1000"
    for same in ("/v2/images?limit=1000&marker=x", "/v2/images?marker=x",
                 "/v2/images?page_limit=100&marker=x", "/v2/images?limit=7&marker=x"):  # fmt: skip
        assert grown(same, ramp) == same
