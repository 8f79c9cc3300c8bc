"""One fingerprint per listed image, the same whether it comes from an API body or a snapshot.

The collection benchmark checks that imageyard's snapshot holds exactly what a plain listing
of the same Glance returns: the same ids and, image by image, the same record. A record is
reduced to the fields both sides carry (the typed attributes, locations as (url, store),
sorted tags and members, the other keys as string properties: a string as it is, any other
value JSON-encoded with sorted keys) and hashed, so two clients' catalogs compare in one
dictionary comparison and a difference names the image.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

TYPED = (
    "id", "name", "status", "disk_format", "container_format", "size", "virtual_size",
    "checksum", "os_hash_algo", "os_hash_value", "owner", "visibility", "protected",
    "os_hidden", "direct_url", "created_at", "updated_at",
)  # fmt: skip
_CSV = ("stores", "os_glance_importing_to_stores", "os_glance_failed_import")
# API keys that are no property: typed fields, lists handled apart, links
_NOT_PROPERTIES = frozenset((*TYPED, *_CSV, "locations", "tags", "self", "file", "schema"))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _split(value: Any) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()] if isinstance(value, str) else []


def _digest(fields: list[Any]) -> str:
    return hashlib.sha1(json.dumps(fields).encode(), usedforsecurity=False).hexdigest()[:16]


def from_api(body: Mapping[str, Any], members: list[Mapping[str, Any]]) -> str:
    """The fingerprint of one listed image body and its members (``[]``: not shared)."""
    fields: list[Any] = [body.get(k) for k in TYPED]
    fields += [_split(body.get(k)) for k in _CSV]
    fields.append([[loc["url"], (loc.get("metadata") or {}).get("store")]
                   for loc in body.get("locations") or []])  # fmt: skip
    fields.append(sorted(body.get("tags") or []))
    fields.append(sorted([m["member_id"], m["status"]] for m in members))
    props = sorted([k, _text(v)] for k, v in body.items() if k not in _NOT_PROPERTIES)
    return _digest([*fields, props])


def from_snapshot(record: Mapping[str, Any]) -> str:
    """The fingerprint of one image of an imageyard snapshot."""
    fields: list[Any] = [record.get(k) for k in TYPED]
    fields += [list(record.get(k) or []) for k in _CSV]
    fields.append([[loc["url"], loc.get("store")] for loc in record.get("locations") or []])
    fields.append(sorted(record.get("tags") or []))
    fields.append(sorted([m["member_id"], m["status"]] for m in record.get("members") or []))
    props = sorted([k, v] for k, v in record.get("properties") or [])
    return _digest([*fields, props])


def differences(expected: Mapping[str, str | None], got: Mapping[str, str | None]) -> list[str]:
    """What ``got`` lacks, adds or records differently (a None fingerprint: ids only)."""
    missing = sorted(expected.keys() - got.keys())
    extra = sorted(got.keys() - expected.keys())
    changed = sorted(i for i, fp in got.items()
                     if None not in (fp, expected.get(i)) and expected[i] != fp)  # fmt: skip
    out = [f"{len(missing)} missing (e.g. {missing[:3]})"] if missing else []
    out += [f"{len(extra)} not listed by plain (e.g. {extra[:3]})"] if extra else []
    out += [f"{len(changed)} records differ (e.g. {changed[:3]})"] if changed else []
    return out


def ids_only(ids: Iterable[str]) -> dict[str, str | None]:
    """An id set, for a client whose records are not compared field by field."""
    return dict.fromkeys(ids)
