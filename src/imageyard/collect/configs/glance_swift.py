"""glance-swift.conf: Swift store references; read for file:line and redaction only."""

from __future__ import annotations

from imageyard.collect.configs._common import Parsed
from imageyard.collect.ini import IniDocument


def parse(doc: IniDocument) -> Parsed:
    """No parsed view: the references' values stay in the ``ConfigFile``."""
    del doc
    return Parsed(None)
