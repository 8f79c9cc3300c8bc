"""The report's rows inside the page: JSON blocks, compressed, each its own ``<script>``.

Concepts: ``blocks(key, rows)`` cuts a list of rows into blocks of ``size`` rows and gives
each as one element, ``<script type="application/x-imageyard-rows" data-rows="KEY">``,
whose text is the block's JSON compressed with zlib and written in base64 without padding
(``data-enc="deflate"``; the page's script inflates it with the browser's
``DecompressionStream``). Compressed, the rows of 100,000 images are a tenth of their
JSON, which the browser reads and inflates faster than it parses the page around plain
JSON. The page is written through the secrets policy piece by piece, and that policy must
not change a compressed text (it would no longer inflate): a block whose element the
policy would alter (a remembered secret, four characters or more, matching inside the
base64 by chance) is embedded as plain JSON instead (no ``data-enc``), escaped as
``safe_json`` says, which the policy masks as it masks any text. Either way the block
decodes to the same rows. Every element ends with a newline, where no secret pattern of
the policy can continue, so the page's pieces scrub as the whole page does.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Sequence
from typing import Any

import msgspec

from imageyard import secrets

TYPE = "application/x-imageyard-rows"
LEVEL = 1  # NOTE: zlib's fastest level: a tenth of the JSON already, at 3x level 6's speed
_ENCODER = msgspec.json.Encoder()


def safe_json(data: Any) -> str:
    """``data`` as compact JSON that is safe inside ``<script>`` and that the secrets policy
    reads one JSON string at a time: ``<``, ``>``, ``&``, ``@`` and ``=`` escaped (no URL's
    userinfo or ``name=value`` pair spans two JSON strings)."""
    text = _ENCODER.encode(data).decode("utf-8")
    for char in "<>&@=":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _element(key: str, text: str, enc: str) -> str:
    return f'<script type="{TYPE}" data-rows="{key}"{enc}>{text}</script>\n'


def block(key: str, rows: Sequence[Any]) -> str:
    """One element holding ``rows``: compressed, or plain JSON when the secrets policy would
    alter the compressed text."""
    packed = zlib.compress(_ENCODER.encode(rows), LEVEL)
    text = base64.b64encode(packed).rstrip(b"=").decode("ascii")
    element = _element(key, text, ' data-enc="deflate"')
    if secrets.scrub(element) == element:
        return element
    return _element(key, safe_json(rows), "")


def blocks(key: str, rows: Sequence[Any], size: int) -> list[str]:
    """``rows`` as elements of at most ``size`` rows each, in order."""
    return [block(key, rows[n : n + size]) for n in range(0, len(rows), size)]
