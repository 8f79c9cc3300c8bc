"""Copy-on-write eligibility: which consumers clone which images, and what happens otherwise.

Concepts: ``consumers(inv)`` derives the Nova computes and Cinder RBD backends from the
configuration; ``boot_path(image, consumer, inv)`` replays the consumer's clone decision and
returns a ``Verdict`` with its ``BootPath``. Both are pure functions of the inventory;
``verdicts(inv)`` is the table that decides each image x consumer once per inventory, which
the audit rules, the paths stage and design all read.
"""

from imageyard.audit.cow.consumers import Consumer, ConsumerKind, consumers
from imageyard.audit.cow.table import VerdictTable, verdicts
from imageyard.audit.cow.trace import BootPath, Verdict
from imageyard.audit.cow.verdict import boot_path, sorted_locations

__all__ = [
    "BootPath",
    "Consumer",
    "ConsumerKind",
    "Verdict",
    "VerdictTable",
    "boot_path",
    "consumers",
    "sorted_locations",
    "verdicts",
]
