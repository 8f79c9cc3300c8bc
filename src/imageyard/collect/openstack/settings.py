"""Are the OpenStack settings complete? Asked of keystoneauth's own plugin loaders.

Concepts: openstacksdk merges clouds.yaml and the ``OS_*`` variables into one cloud config
with an ``auth_type`` (default ``password``) and an ``auth`` mapping. keystoneauth's
loader for that ``auth_type`` declares which options are required; the generic password
and token plugins also need a password with a user, or a token, before they can ask for
a token (they fail only then, deep in the first request). ``check_auth`` turns both kinds
of gap, and an ``auth_type`` no plugin provides, into one ``UsageError`` line naming the
settings to give, as ``OS_*`` variables or as clouds.yaml keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keystoneauth1 import exceptions as ks
from keystoneauth1 import loading

from imageyard.errors import UsageError

_TIP = "check clouds.yaml, --os-cloud or the OS_* variables"
_NEEDS_ANY: dict[str, tuple[tuple[str, ...], ...]] = {
    # (one of these) and (one of these) ...
    "password": (("password",), ("username", "user_id")),
    "v3password": (("password",), ("username", "user_id")),
    "v2password": (("password",), ("username", "user_id")),
    "token": (("token",),),
    "v3token": (("token",),),
    "v2token": (("token",),),
    "v3applicationcredential": (("application_credential_id", "application_credential_name"),),
}


def _name(dest: str, cloud: str | None) -> str:
    return f"auth.{dest} in clouds.yaml" if cloud else f"OS_{dest.upper()}"


def unknown_auth_type(auth_type: str, cloud: str | None) -> UsageError:
    """The error for an ``auth_type`` that no keystoneauth plugin provides."""
    where = f"auth_type of cloud {cloud!r}" if cloud else "OS_AUTH_TYPE"
    known = ", ".join(sorted(loading.get_available_plugin_names())[:12])
    return UsageError(
        f"{where} {auth_type!r} is not an auth plugin (known: {known}, ...)", tip=_TIP
    )


def missing_settings(auth_type: str, auth: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """Groups of settings of which none is given but one is needed."""
    try:
        loader: Any = loading.get_plugin_loader(auth_type)
    except ks.NoMatchingPlugin:
        return []
    given = {k for k, v in auth.items() if v not in (None, "")}
    missing: list[tuple[str, ...]] = [
        (o.dest,) for o in loader.get_options() if o.required and o.dest not in given
    ]
    for group in _NEEDS_ANY.get(auth_type, ()):
        if not given.intersection(group) and group not in missing:
            missing.append(group)
    return missing


def check_auth(config: Mapping[str, Any], cloud: str | None) -> None:
    """Raise ``UsageError`` when the merged cloud ``config`` cannot authenticate."""
    auth_type = str(config.get("auth_type") or "password")
    if auth_type in ("none", "admin_token", "http_basic"):
        return
    try:
        loading.get_plugin_loader(auth_type)
    except ks.NoMatchingPlugin:
        raise unknown_auth_type(auth_type, cloud) from None
    missing = missing_settings(auth_type, config.get("auth") or {})
    if missing:
        names = "; ".join(" or ".join(_name(d, cloud) for d in group) for group in missing)
        where = f"cloud {cloud!r}" if cloud else "the OS_* variables"
        raise UsageError(
            f"incomplete OpenStack settings in {where} ({auth_type}): missing {names}",
            tip=_TIP,
        )
