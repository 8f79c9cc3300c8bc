"""Reclaim stage: what data no database points at, what pins images, what is duplicated.

``analyse(inventory, settings)`` returns a ``ReclaimResult``; the ``imageyard reclaim``
command renders it (``reclaim.render``) and ``design`` section (e) reads it. Nothing in
this package deletes anything.
"""

from imageyard.reclaim.context import ReclaimSettings
from imageyard.reclaim.engine import analyse
from imageyard.reclaim.model import ReclaimResult

__all__ = ["ReclaimResult", "ReclaimSettings", "analyse"]
