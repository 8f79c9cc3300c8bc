"""Fuzz: any bytes either parse or raise ConfigFileError, through every kind's parser."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imageyard.collect.configs import KINDS, ConfigPaths, collect_configs
from imageyard.collect.ini import read_config_file
from imageyard.errors import ConfigFileError

# Text near the INI grammar finds more paths than uniform bytes.
_PIECES = st.sampled_from(
    [
        "[DEFAULT]", "[glance_store]", "[ceph]", "[global]", "[libvirt]", "[", "]", "[]",
        "enabled_backends", "=", ":", " = ", "a:file, b:rbd", "rbd", "#", ";", "\n", "\r\n",
        "\t", "  ", "\\", '"', "'", "weight = x", "enabled_backends = fast", "os_glance_x:file",
        "transport_url = rabbit://u:p@h,", "key = AQ==", "mon host = 1", "\x00", "é", "\ufeff",
        "images_type = rbd", "volume_driver = x.rbd.RBDDriver", "enabled_backends = a,b",
    ]
)  # fmt: skip
_NEAR_INI = st.lists(_PIECES, max_size=40).map(lambda parts: "".join(parts).encode())
_DATA = st.one_of(st.binary(max_size=400), _NEAR_INI, st.text(max_size=200).map(str.encode))


def _check(data: bytes, kind: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.conf"
        path.write_bytes(data)
        with contextlib.suppress(ConfigFileError):
            read_config_file(path)
        paths = {
            "glance-api": ConfigPaths(glance_api=str(path)),
            "glance-image-import": ConfigPaths(glance_import=str(path)),
            "glance-swift": ConfigPaths(glance_swift=str(path)),
            "nova": ConfigPaths(nova=(str(path),)),
            "cinder": ConfigPaths(cinder=(str(path),)),
            "ceph": ConfigPaths(ceph=(str(path),)),
        }[kind]
        try:
            config, _gaps = collect_configs(paths, explicit=True)
        except ConfigFileError as exc:
            assert exc.path == str(path)
            return
        assert len(config.files) == 1
        repr(config)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_DATA, kind=st.sampled_from(sorted(KINDS)))
def test_any_bytes_parse_or_raise_config_file_error(data: bytes, kind: str) -> None:
    _check(data, kind)
