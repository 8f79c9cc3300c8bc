"""Which disk format an RBD image really holds, from its first bytes (read-only, tiny reads).

Concepts: Glance accepts a qcow2 file uploaded with ``disk_format=raw`` (it only warns), and
the copy-on-write path in Nova and Cinder never inspects the data, so a mislabelled image
boots as garbage. Reading ``HEADER_BYTES`` from offset 0 (plus ``ISO_MAGIC_LEN`` bytes at
``ISO_OFFSET`` when nothing else matched) is enough to recognise the common container formats
by their magic numbers. ``detect_format`` is a pure function of those bytes: qcow2 (``QFI\\xfb``,
with its version, a non-zero backing file offset and, for version 3, the external data file
bit), VMDK (``KDMV`` sparse extent or a text descriptor), VHDX (``vhdxfile``), VHD
(``conectix``), VDI (its magic at 0x40) and ISO 9660 (``CD001`` at 0x8001). Anything else with
data is ``raw``; no data at all is ``unknown``. This is a magic-number check, not a safety
inspection: it does not validate the rest of the image.
"""

from __future__ import annotations

import struct

from imageyard.model.ceph import DetectedFormat

HEADER_BYTES = 512
ISO_OFFSET = 0x8001
ISO_MAGIC_LEN = 5

_QCOW2 = b"QFI\xfb"
_VDI_MAGIC = b"\x7f\x10\xda\xbe"  # 0xbeda107f little-endian, at offset 0x40
_QCOW2_DATA_FILE_BIT = 1 << 2  # incompatible feature "external data file" (version 3)
_PREFIXES = (
    (b"KDMV", "vmdk"),
    (b"# Disk DescriptorFile", "vmdk"),
    (b"vhdxfile", "vhdx"),
    (b"conectix", "vhd"),
)


def _qcow2(head: bytes, snapshot: str | None) -> DetectedFormat:
    version = struct.unpack_from(">I", head, 4)[0] if len(head) >= 8 else None
    backing = struct.unpack_from(">Q", head, 8)[0] if len(head) >= 16 else 0
    data_file = False
    if version is not None and version >= 3 and len(head) >= 80:
        incompatible = struct.unpack_from(">Q", head, 72)[0]
        data_file = bool(incompatible & _QCOW2_DATA_FILE_BIT)
    return DetectedFormat(
        "qcow2",
        snapshot=snapshot,
        version=version,
        has_backing_file=backing != 0,
        has_data_file=data_file,
    )


def detect_format(
    head: bytes, iso_probe: bytes = b"", snapshot: str | None = None
) -> DetectedFormat:
    """The format ``head`` (the first bytes) and ``iso_probe`` (bytes at 0x8001) show."""
    if head.startswith(_QCOW2):
        return _qcow2(head, snapshot)
    for magic, name in _PREFIXES:
        if head.startswith(magic):
            return DetectedFormat(name, snapshot=snapshot)
    if head[0x40:0x44] == _VDI_MAGIC:
        return DetectedFormat("vdi", snapshot=snapshot)
    if iso_probe.startswith(b"CD001"):
        return DetectedFormat("iso", snapshot=snapshot)
    return DetectedFormat("raw" if head else "unknown", snapshot=snapshot)
