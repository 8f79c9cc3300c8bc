"""The per-image requests' adaptive level: decisions on modelled servers, and the gate."""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from imageyard.collect.glance.inflight import LEAST, MOST, START, Gate, Limit, Work

# a modelled server: one request's service time, given how many are in flight when it
# starts and the (simulated) time
Service = Callable[[int, float], float]


def cores(count: float, seconds: float = 0.1) -> Service:
    """A server that works ``count`` requests at once at ``seconds`` each; more queue."""
    return lambda in_flight, _now: seconds * max(1.0, in_flight / count)


def simulate(limit: Limit, service: Service, requests: int) -> float:
    """``requests`` requests sent through ``limit`` with an unbounded backlog, on a simulated
    clock; each completion is fed to ``limit`` as the gate would. The simulated end time."""
    now, left = 0.0, requests
    flight: list[tuple[float, float]] = []  # (end, start)
    while left or flight:
        while left and len(flight) < limit.level:
            heapq.heappush(flight, (now + service(len(flight) + 1, now), now))
            left -= 1
        end, start = heapq.heappop(flight)
        now = end
        limit.observe(now, end - start, saturated=left > 0)
    return now


def contended(count: float, seconds: float = 0.1, cost: float = 0.03) -> Service:
    """A server of ``count`` cores where each request beyond them also slows every one in
    flight by ``cost`` (threads of one process taking turns: more in flight, more work)."""
    return lambda in_flight, _now: (
        seconds * max(1.0, in_flight / count) * (1 + cost * max(0, in_flight - count))
    )


def levels(limit: Limit) -> list[int]:
    return [level for level, _rate, _latency in limit.history]


def test_a_one_process_server_gets_the_least_level() -> None:
    limit = Limit()
    simulate(limit, cores(1), 3000)
    # 16 tried and given back, then the level below: as fast with fewer, down to the least
    assert levels(limit)[:10] == [START, START, 2 * START, 2 * START, START, START, 4, 4, 2, 2]
    assert levels(limit)[10:20] == [LEAST] * 8 + [2 * LEAST] * 2  # hold, then a try up ...
    assert levels(limit)[20:22] == [LEAST] * 2  # ... given back: no faster
    assert set(levels(limit)[8:]) == {LEAST, 2 * LEAST}
    assert limit.settled == LEAST


def test_requests_that_cost_more_together_are_lowered_to_the_fastest_level() -> None:
    one = Limit()
    simulate(one, contended(1), 4000)
    assert levels(one)[:10] == [8, 8, 16, 16, 8, 8, 4, 4, 2, 2] and one.settled == LEAST
    rates = {level: rate for level, rate, _ in one.history}
    assert rates[2] > rates[4] > rates[8] > rates[16]  # fewer, faster: each step down kept
    four = Limit()
    simulate(four, contended(4), 4000)
    assert levels(four)[:12] == [8, 8, 16, 16, 8, 8, 4, 4, 2, 2, 4, 4]  # 2: half as fast
    assert four.settled == 4 and set(levels(four)[10:]) == {2, 4, 8}  # tries, given back


def test_a_server_that_answers_faster_gets_more_until_it_stops_paying() -> None:
    limit = Limit(most=64)
    simulate(limit, cores(24), 6000)
    # two windows per level: 16 (twice as fast as 8), 32 (half as fast again), 64 no
    # faster than 32: back to 32
    assert levels(limit)[:9] == [8, 8, 16, 16, 32, 32, 64, 64, 32]
    assert limit.level == 32
    assert limit.highest == 64


def beside_a_listing(
    limit: Limit, work: Work, clock: list[float], pages: int, page: int = 100
) -> None:
    """``limit``'s requests on a server of 100 requests/s (or 1,000 listed images/s) that
    ``pages`` list requests of ``page`` images, always in flight, share with them in equal
    parts; each list request is told to ``work`` (whose clock reads ``clock[0]``), each
    request's completion to ``limit`` as the gate would."""
    request = 0.0  # when the next request ends
    lists = [(0.0, work.asked()) for _ in range(pages)]  # each list request's end, token
    while len(limit.history) < 30:
        level = limit.level
        mine = 100.0 * level / (level + pages)  # the requests' share, per second
        each = 1000.0 / (level + pages)  # each list request's, in images per second
        now = clock[0]
        request = request or now + 1 / mine
        lists = [(end or now + page / each, token) for end, token in lists]
        first = min(range(pages), key=lambda i: lists[i][0])
        if lists[first][0] < request:
            clock[0] = lists[first][0]
            work.answered(lists[first][1], page)
            lists[first] = (0.0, work.asked())
        else:
            clock[0], request = request, 0.0
            limit.observe(clock[0], level / mine, saturated=True)


def measured(pages: int, page: int = 100, counted: bool = True, hold: int = 8) -> Limit:
    """A limit's decisions beside a listing (``counted``: measured by the whole work)."""
    clock = [0.0]
    work = Work(clock=lambda: clock[0])
    limit = Limit(work=work if counted else None, hold=hold)
    beside_a_listing(limit, work, clock, pages, page)
    return limit


def test_more_requests_that_only_crowd_out_the_listing_are_no_gain() -> None:
    alone = measured(pages=4, counted=False)  # alone: the listing's share looks faster
    assert levels(alone)[:6] == [8, 8, 16, 16, 16, 16] and alone.settled == MOST
    whole = measured(pages=4)  # the server's whole work: no faster, so down to the least
    assert levels(whole)[:10] == [8, 8, 16, 16, 8, 8, 4, 4, 2, 2]
    assert whole.settled == LEAST
    firsts = [i for i in range(1, 30) if levels(whole)[i] != levels(whole)[i - 1]]
    rates = [rate for _, rate, _ in whole.history]
    steady = [rate for i, rate in enumerate(rates) if i not in firsts]
    assert min(steady) > 99.0 and max(steady) < 101.0  # the server's 100/s at every level
    # a level's first window still counts the pages on their way at the rate they had before
    assert all(85.0 < rates[i] < 115.0 for i in firsts)


def test_list_pages_larger_than_a_window_are_measured_as_a_steady_rate() -> None:
    # a page of 1,000 images is 100 requests' work: half a window's, arriving at once
    limit = measured(pages=1, page=1000, hold=1000)
    assert levels(limit)[:10] == [8, 8, 16, 16, 8, 8, 4, 4, 8, 8] and limit.settled == 8
    rates = [rate for _, rate, _ in limit.history]
    assert max(rates[:4]) < 95.0  # no page answered yet: its rate is not known
    assert min(rates[8:]) > 99.0 and max(rates[8:]) < 101.0  # each page spread over its time


def test_the_lists_work_in_a_window() -> None:
    clock = [0.0]
    work = Work(clock=lambda: clock[0])
    assert work.listing(0.0, 10.0) == 0.0  # nothing asked
    first = work.asked()  # sent at 0, answered at 2 with 100 images: 10 requests' work
    clock[0] = 1.0
    second = work.asked()  # sent at 1, answered at 5
    assert work.listing(0.0, 1.0) == 0.0  # on their way, and no page answered yet
    clock[0] = 2.0
    work.answered(first, 100)
    assert work.listing(0.0, 2.0) == pytest.approx(10.0 + 5.0)  # and the second, at 5/s
    assert work.listing(1.0, 2.0) == pytest.approx(5.0 + 5.0)
    clock[0] = 5.0
    work.answered(second, 200)  # 20 over 4 s
    assert work.listing(0.0, 5.0) == pytest.approx(30.0)
    assert work.listing(1.5, 3.0) == pytest.approx(2.5 + 7.5)  # each spread over its time
    assert work.listing(5.0, 9.0) == 0.0  # none on its way
    failed = work.asked()
    clock[0] = 6.0
    work.answered(failed, 0)  # a failed request: time, no work
    assert work.listing(0.0, 6.0) == pytest.approx(30.0)
    assert work.done == pytest.approx(30.0)
    work.add(1.0)
    assert work.done == pytest.approx(31.0)


def test_the_level_never_passes_the_cap() -> None:
    limit = Limit(most=10)
    simulate(limit, cores(100), 5000)
    assert limit.settled == 10
    assert limit.highest == 10 and max(levels(limit)) == 10
    assert levels(limit)[:8] == [8, 8, 10, 10, 10, 10, 5, 5]  # at the cap: tries go down
    assert set(levels(limit)[8:]) == {10, 5}
    default = Limit()
    simulate(default, cores(100), 5000)
    assert default.settled == default.highest == MOST


def test_a_one_request_cap_is_kept_from_the_start() -> None:
    limit = Limit(most=1)
    simulate(limit, cores(8), 500)
    assert limit.level == limit.highest == 1
    assert set(levels(limit)) == {1}


def test_latency_climbing_at_the_settled_level_lowers_it() -> None:
    def slows_down(in_flight: int, now: float) -> float:  # twice as slow after half a minute
        return cores(8, 0.1 if now < 30 else 0.2)(in_flight, now)

    limit = Limit(hold=1000)  # no try after the first climb and its check from below
    simulate(limit, slows_down, 6000)
    lowered = levels(limit).index(6)  # it had settled at 8 (the model with 8 cores)
    before = [latency for level, _, latency in limit.history[:lowered] if level == 8]
    usual = sum(before[:-2]) / len(before[:-2])
    assert levels(limit)[:8] == [8, 8, 16, 16, 8, 8, 4, 4]  # 16 and 4 tried, given back
    assert levels(limit)[8:lowered] == [8] * (len(before) - 4)
    assert min(before[-2:]) > usual * 1.5  # two windows in a row took half as long again
    assert max(before[:-2]) < usual * 1.5
    assert limit.level == 8 - 8 // 4 == 6  # then steady at the slower speed: kept


def test_one_slow_window_does_not_lower_the_level() -> None:
    def hiccup(in_flight: int, now: float) -> float:  # three times as slow for two seconds
        return cores(8, 0.3 if 30 < now < 32 else 0.1)(in_flight, now)

    limit = Limit(hold=1000)
    simulate(limit, hiccup, 6000)
    settled = [latency for level, _, latency in limit.history[4:]]
    assert max(settled) > min(settled) * 1.5  # it was seen
    assert levels(limit)[4:8] == [8, 8, 4, 4]  # the check from below, given back
    assert limit.level == 8 and set(levels(limit)[8:]) == {8}


def test_steady_latency_does_not_lower_the_level() -> None:
    limit = Limit(hold=1000)
    simulate(limit, cores(8), 4000)
    assert limit.level == 8
    assert levels(limit)[:8] == [8, 8, 16, 16, 8, 8, 4, 4]
    assert levels(limit)[8:] == [8] * (len(limit.history) - 8)


def test_the_next_level_is_tried_again_after_hold_windows() -> None:
    faster = {"cores": 4.0}  # the server gets more cores later (another load ended)

    def model(in_flight: int, now: float) -> float:
        if now > 60:
            faster["cores"] = 16.0
        return cores(faster["cores"])(in_flight, now)

    limit = Limit(hold=3)
    simulate(limit, model, 6000)
    # on four cores: 16 no faster, 4 as fast (kept), 2 slower; then tries up and down
    assert levels(limit)[:15] == [8, 8, 16, 16, 8, 8, 4, 4, 2, 2, 4, 4, 4, 8, 8]
    assert levels(limit)[15:20] == [4, 4, 4, 2, 2]  # given back both ways, every third window
    assert limit.settled == 16  # ... until the tries paid once it had more


def test_completions_without_a_backlog_measure_nothing() -> None:
    limit = Limit()
    for n in range(1000):
        limit.observe(n * 0.01, 0.001, saturated=False)
    assert limit.history == [] and limit.level == START
    for n in range(1000):  # every other one unsaturated: no window ever completes
        limit.observe(n * 0.01, 0.001, saturated=n % 2 == 0)
    assert limit.history == []


def test_the_gate_holds_the_calls_to_the_level() -> None:
    limit = Limit(most=3, level=3, window=10**6)  # no decision: the level stays three
    gate = Gate(limit)
    barrier = threading.Barrier(3, timeout=10)  # three are in flight together at least once
    lock = threading.Lock()
    now = [0, 0]  # in flight, most seen

    def call(path: str) -> str:
        with lock:
            now[0] += 1
            now[1] = max(now[1], now[0])
        try:
            if path in {"0", "1", "2"}:
                barrier.wait()
            return path.upper()
        finally:
            with lock:
                now[0] -= 1

    with ThreadPoolExecutor(gate.workers + 4) as pool:
        answers = list(pool.map(lambda n: gate.call(call, str(n)), range(40)))
    assert answers == [str(n) for n in range(40)]
    assert now[1] == gate.most_at_once == 3
    assert gate.calls == 40


def test_the_gate_tells_the_limit_each_latency_and_whether_others_waited() -> None:
    seen: list[tuple[float, float, bool]] = []

    class Recording(Limit):
        def observe(self, now: float, latency: float, saturated: bool) -> None:
            seen.append((now, latency, saturated))

    ticks = itertools.count()
    gate = Gate(Recording(), clock=lambda: float(next(ticks)))
    assert gate.call(str.upper, "a") == "A"
    assert gate.call(str.upper, "b") == "B"
    assert seen == [(1.0, 1.0, False), (3.0, 1.0, False)]
    assert gate.workers == MOST + 1


def test_a_failed_call_frees_its_place_and_is_measured() -> None:
    gate = Gate(Limit(most=1))

    def fails(_path: str) -> str:
        raise ValueError("refused")

    for _ in range(3):
        with pytest.raises(ValueError, match="refused"):
            gate.call(fails, "x")
    assert gate.call(str.upper, "ok") == "OK"  # the place was given back each time
    assert gate.calls == 4


def feed(limit: Limit, latency: float, now: float) -> float:
    """One window of completions at ``limit``'s level, each after ``latency`` seconds and as
    often as that level in flight gives (Little's law); the time after it."""
    before = len(limit.history)
    while len(limit.history) == before:
        now += latency / limit.level
        limit.observe(now, latency, saturated=True)
    return now


def test_backing_off_stops_at_the_least_level() -> None:
    limit = Limit(level=8, hold=1000)
    now, latency = 0.0, 0.1
    for _ in range(40):  # the answers take ever longer: each window twice as long
        now = feed(limit, latency, now)
        latency *= 2
    lowered = [level for level, _, _ in limit.history]
    assert lowered[:4] == [8, 8, 16, 16]  # the first try up, given back
    assert lowered[4:18] == [8, 6, 6, 6, 5, 5, 5, 4, 4, 4, 3, 3, 3, 2]  # two slow windows
    assert set(lowered[18:]) == {2}  # in a row lower it, by a quarter
    assert limit.level == LEAST == 2
