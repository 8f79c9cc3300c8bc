"""An unknown of an unread header, written when read, equals the plain unknown it stands for.

``raw-label-mismatch`` and ``qcow2-backing-file`` report an image whose first rbd header was
not read as an ``UnreadHeader``: its resource and reason are written each time they are read.
On random catalogs (those of ``test_format_first_headers``) each must read, compare, hash,
sort, copy and pickle exactly as the plain Unknown of that image, reason and cause.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle

from hypothesis import HealthCheck, given, settings
from test_format_first_headers import catalogs

from imageyard.audit.rule import AuditContext
from imageyard.audit.rules.format_images import first_headers, qcow2_backing_file
from imageyard.audit.rules.unread_header import UnreadHeader
from imageyard.model.finding import Resource, Unknown
from imageyard.model.inventory import Inventory
from imageyard.report.groups import unknown_key


def _plain(rule_id: str, image_id: str, reason: str, cause: str) -> Unknown:
    return Unknown(rule_id, Resource("image", image_id), reason, cause=cause)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_unread_headers_read_as_plain_unknowns(inv: Inventory) -> None:
    unread = {image.id: h.unread for image, h in first_headers(inv) if h.unread is not None}
    made = [r for r in qcow2_backing_file(inv, AuditContext()) if isinstance(r, Unknown)]
    assert [u.resource.id for u in made] == list(unread)
    for unknown in made:
        reason, cause = unread[unknown.resource.id]
        plain = _plain(qcow2_backing_file.id, unknown.resource.id, reason, cause)
        assert type(unknown) is UnreadHeader and unknown == plain and plain == unknown
        assert hash(unknown) == hash(plain) and unknown.sort_key == plain.sort_key
        assert unknown.sort_text == plain.sort_text == unknown.sort_key[1]
        assert (unknown.reason, unknown.cause, unknown.evidence) == (reason, cause, ())
        # NOTE: what the JSON writer writes it from: its reason (its pool's, when it was not
        # read) and its image's id
        own = unknown.own_values()
        assert own is not None and own[0] is unknown.shared_by
        assert own[1] == (reason, unknown.resource.id)
        assert copy.deepcopy(unknown) == plain and pickle.loads(pickle.dumps(unknown)) == plain
        copied = dataclasses.replace(unknown, cause="other")
        assert type(copied) is Unknown and copied == dataclasses.replace(plain, cause="other")
        assert unknown != dataclasses.replace(plain, reason="other")
    shared: dict[int, set[object]] = {}  # unknowns of one shared part share a group key
    for unknown in made:
        shared.setdefault(id(unknown.shared_by), set()).add(unknown_key(unknown))
    assert all(len(keys) == 1 for keys in shared.values())
