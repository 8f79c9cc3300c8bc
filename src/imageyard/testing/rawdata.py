"""Random image data that Glance's upload checks take for raw.

Concepts: on upload Glance runs oslo.utils' format inspector over the data. Random bytes
with the boot signature of a partition table (0x55AA at byte 510), which one draw in 65,536
carries, read there as a GPT/MBR disk whose partition table is invalid, and the upload is
refused (HTTP 415 "Image failed safety checks"). ``raw_bytes`` never sets that signature.
"""

from __future__ import annotations

import os

_BOOT_SIGNATURE = slice(510, 512)


def raw_bytes(size: int) -> bytes:
    """``size`` random bytes, never with a partition table's boot signature at byte 510."""
    data = bytearray(os.urandom(size))
    if data[_BOOT_SIGNATURE] == b"\x55\xaa":
        data[510] = 0
    return bytes(data)
