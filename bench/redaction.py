"""Redaction time against input size: each adversarial shape at n and 2n characters.

``.venv/bin/python bench/redaction.py [--size N]`` prints, per shape, the CPU seconds of
``imageyard.secrets.scrub`` at N and 2N characters and their ratio; a linear scan gives
about 2. Exit 1 when a ratio exceeds 3.5 (a quadratic scan gives 4).
"""

from __future__ import annotations

import argparse
import sys
import time

from imageyard.secrets import Redactor

SHAPES = {
    "letters": lambda n: "a" * n,
    "pairs": lambda n: "a=b " * (n // 4),
    "chained": lambda n: "a=b=" * (n // 4),
    "colons": lambda n: "x:" * (n // 2),
    "urls": lambda n: "a://b:c@" * (n // 8),
    "secret pairs": lambda n: "password=p=" * (n // 11),
    "long words": lambda n: ("a" * 100 + ":") * (n // 101),
}


def cpu(text: str) -> float:
    redactor = Redactor()
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        redactor.scrub(text)
        best = min(best, time.process_time() - start)
    return max(best, 1e-6)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    worst = 0.0
    print(f"{'shape':14} {'n s':>8} {'2n s':>8} ratio")
    for name, make in SHAPES.items():
        one, two = cpu(make(args.size)), cpu(make(2 * args.size))
        worst = max(worst, two / one)
        print(f"{name:14} {one:8.3f} {two:8.3f} {two / one:5.2f}")
    return 0 if worst <= 3.5 else 1


if __name__ == "__main__":
    sys.exit(main())
