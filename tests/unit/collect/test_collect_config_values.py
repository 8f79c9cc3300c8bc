"""as_bool / as_int / as_list / as_dict and value_problem: never raise."""

from __future__ import annotations

import pytest

from imageyard.model.config import (
    ConfigValue,
    StoreConfig,
    StoreType,
    ValueKind,
    as_bool,
    as_dict,
    as_int,
    as_list,
    value_problem,
)


def _cv(value: str) -> ConfigValue:
    return ConfigValue("DEFAULT", "opt", value, "x.conf", 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("True", True), ("yes", True), ("ON", True), ("1", True), ("false", False),
     ("No", False), ("off", False), ("0", False), ("maybe", None), ("", None)],
)  # fmt: skip
def test_as_bool(text: str, expected: bool | None) -> None:
    assert as_bool(_cv(text)) is expected


def test_defaults_apply_only_when_unset() -> None:
    assert as_bool(None, False) is False
    assert as_int(None, 600) == 600
    assert as_int(_cv("x"), 600) is None
    assert as_list(None) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a,b", ("a", "b")), ("[a,b]", ("a", "b")), ("a, b", ("a", "b")), ("[]", ()),
     ("['image_conversion']", ("image_conversion",)), ("a,\n  b,", ("a", "b")), ("", ())],
)  # fmt: skip
def test_as_list(text: str, expected: tuple[str, ...]) -> None:
    assert as_list(_cv(text)) == expected


def test_as_dict() -> None:
    assert as_dict(_cv("fast:file, cheap:file")) == (("fast", "file"), ("cheap", "file"))
    assert as_dict(_cv("[a:rbd]")) == (("a", "rbd"),)
    assert as_dict(_cv("a:x:y")) == (("a", "x:y"),)
    assert as_dict(_cv("fast")) is None
    assert as_dict(_cv("a:file, a:rbd")) is None
    assert as_dict(_cv(":file")) is None


def test_value_problem_names_file_line() -> None:
    assert value_problem(_cv("12"), ValueKind.INT) is None
    assert value_problem(None, ValueKind.INT) is None
    assert value_problem(_cv("twelve"), ValueKind.INT) == (
        "x.conf:7: [DEFAULT] opt = 'twelve' is not a valid integer"
    )


def test_store_weight_and_type() -> None:
    store = StoreConfig("fast", "file", (ConfigValue("fast", "weight", "-5", "g", 3),))
    assert store.weight == -5 and store.store_type is StoreType.FILE
    assert StoreConfig("x", "sheepdog").store_type is StoreType.UNKNOWN
    # stevedore matches entry-point names exactly: "FILE" loads no driver
    assert StoreConfig("x", "FILE").store_type is StoreType.UNKNOWN


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("glance.store.rbd.Store", StoreType.RBD),
        ("glance.store.filesystem.Store", StoreType.FILE),
        ("glance.store.swift.Store", StoreType.SWIFT),
        ("glance.store.s3.Store", StoreType.S3),
        ("glance.store.http.Store", StoreType.HTTP),
        ("glance.store.cinder.Store", StoreType.CINDER),
        ("glance.store.vmware_datastore.Store", StoreType.VMWARE),
        (" rbd ", StoreType.RBD),
        ("glance_store._drivers.rbd.Store", StoreType.UNKNOWN),
        ("glance.store.sheepdog.Store", StoreType.UNKNOWN),
    ],
)
def test_store_entry_point_names(name: str, expected: StoreType) -> None:
    assert StoreType.from_entry_point(name) is expected
    assert StoreConfig("x", "rbd").weight == 0
