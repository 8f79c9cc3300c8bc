"""The per-image requests' adaptive level: decisions on modelled servers, and the gate."""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from imageyard.collect.glance.inflight import MOST, START, Gate, Limit

# a modelled server: one request's service time, given how many are in flight when it
# starts and the (simulated) time
Service = Callable[[int, float], float]


def cores(count: float, seconds: float = 0.01) -> Service:
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


def levels(limit: Limit) -> list[int]:
    return [level for level, _rate, _latency in limit.history]


def test_a_one_process_server_keeps_the_starting_level() -> None:
    limit = Limit()
    simulate(limit, cores(1), 3000)
    assert limit.level == START
    assert set(levels(limit)) == {START, START + START // 2}  # tried one step up, gave it back
    tried = [rate for level, rate, _ in limit.history if level > START]
    kept = [rate for level, rate, _ in limit.history if level == START]
    assert max(tried) < min(kept) * (1 + limit.gain)


def test_a_server_that_answers_faster_gets_more_until_it_stops_paying() -> None:
    limit = Limit()
    simulate(limit, cores(8), 3000)
    # 4 -> 6 -> 9 (each faster), 13 no faster than 9: back to 9
    assert levels(limit)[:4] == [4, 6, 9, 13]
    assert limit.level == 9
    assert limit.highest == 13


def test_the_level_never_passes_the_cap() -> None:
    limit = Limit(most=10)
    simulate(limit, cores(100), 5000)
    assert limit.level == 10
    assert limit.highest == 10 and max(levels(limit)) == 10
    default = Limit()
    simulate(default, cores(100), 20000)
    assert default.level == default.highest == MOST


def test_a_one_request_cap_is_kept_from_the_start() -> None:
    limit = Limit(most=1)
    simulate(limit, cores(8), 500)
    assert limit.level == limit.highest == 1
    assert set(levels(limit)) == {1}


def test_latency_climbing_at_the_settled_level_lowers_it() -> None:
    def slows_down(in_flight: int, now: float) -> float:  # twice as slow after 2 s
        return cores(8, 0.01 if now < 2.0 else 0.02)(in_flight, now)

    limit = Limit(hold=1000)  # no try upwards after the first climb
    simulate(limit, slows_down, 4000)
    at_nine = [latency for level, _, latency in limit.history if level == 9]
    assert at_nine[-1] > min(at_nine) * 1.5 > at_nine[-2]  # the window where it climbed
    lowered = levels(limit).index(7)
    assert limit.history[lowered - 1] == (9, limit.history[lowered - 1][1], at_nine[-1])
    assert limit.level == 9 - 9 // 4 == 7  # then steady at the slower speed: kept


def test_steady_latency_does_not_lower_the_level() -> None:
    limit = Limit(hold=1000)
    simulate(limit, cores(8), 4000)
    assert limit.level == 9
    assert levels(limit)[4:] == [9] * (len(limit.history) - 4)


def test_the_next_level_is_tried_again_after_hold_windows() -> None:
    faster = {"cores": 2.0}  # the server gets more cores later (another load ended)

    def model(in_flight: int, now: float) -> float:
        if now > 3.0:
            faster["cores"] = 8.0
        return cores(faster["cores"])(in_flight, now)

    limit = Limit(hold=3)
    simulate(limit, model, 6000)
    assert limit.level > 6  # 4 settled on two cores, then the tries paid once it had more
    assert levels(limit)[:3] == [4, 6, 4]


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
