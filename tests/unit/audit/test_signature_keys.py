"""``signature_keys`` reads the properties once and answers as a lookup per key would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from imageyard.audit.rules.signing import SIGNATURE_PROPERTIES, is_signed, signature_keys
from imageyard.model.image import Image

_KEYS = st.sampled_from(
    (*SIGNATURE_PROPERTIES, "img_signature_extra", "img_signatur", "os_distro", "hw_disk_bus")
)
_PROPERTIES = st.lists(st.tuples(_KEYS, st.sampled_from(("", "x", "sha256"))), max_size=8)


@given(_PROPERTIES)
def test_signature_keys_are_the_set_properties_in_canonical_order(
    pairs: list[tuple[str, str]],
) -> None:
    image = Image(id="i", properties=tuple(pairs))
    first: dict[str, str] = {}
    for key, value in image.properties:
        first.setdefault(key, value)
    want = tuple(k for k in SIGNATURE_PROPERTIES if k in first)
    assert signature_keys(image) == want
    assert want == tuple(k for k in SIGNATURE_PROPERTIES if image.get_property(k) is not None)
    assert is_signed(image) == (len(want) == 4)


def test_a_signed_image_and_an_unsigned_one() -> None:
    signed = Image(id="s", properties=tuple((k, "v") for k in reversed(SIGNATURE_PROPERTIES)))
    assert signature_keys(signed) == SIGNATURE_PROPERTIES and is_signed(signed)
    assert signature_keys(Image(id="u", properties=(("os_distro", "x"),))) == ()
