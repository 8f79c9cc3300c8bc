"""What apply asks of a file, S3 or Swift store's backend: is an object there, remove it.

Concepts: ``ObjectOps`` is the seam (a fake in tests, ``StoreObjects`` for real stores).
``StoreObjects`` reaches each store the way ``collect``'s ``backends`` source lists it: the
store's own options and credentials from the glance-api configuration (read in memory by
``collect.backends.options``; every secret is handed to the redactor), boto3 for S3 and
HTTP for Swift with the run's timeouts. A file is moved out of the datadir into
``<datadir>.imageyard-reclaimed/`` beside it (a rename on the same file system, undone by
moving it back); an S3 or Swift object is deleted. Every failure is a ``StepError`` naming
the store and the object, never a credential.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import requests

from imageyard.apply.glance import StepError
from imageyard.collect.backends import s3, swift
from imageyard.collect.backends.listing import ListingError
from imageyard.collect.backends.options import OptionsError, StoreOptions, store_options
from imageyard.collect.openstack.probe import Timeouts
from imageyard.model.config import GlanceApiConfig

QUARANTINE = ".imageyard-reclaimed"


@dataclass(frozen=True)
class ObjectRef:
    """One object of a store's backend: ``kind`` file, s3 or swift; ``where`` the datadir,
    bucket or container."""

    store: str
    kind: str
    where: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.where}/{self.name} (store {self.store})"


class ObjectOps(Protocol):
    """What apply asks of the stores' backends."""

    def stat(self, ref: ObjectRef) -> dict[str, Any] | None:
        """``{"size": n}`` when the object is there, else None."""
        ...

    def remove(self, ref: ObjectRef) -> None:
        """Move the file out of its datadir, or delete the S3/Swift object."""
        ...


def quarantine_dir(datadir: str) -> str:
    """Where a reclaimed file of ``datadir`` goes: a directory beside it."""
    return datadir.rstrip("/") + QUARANTINE


@dataclass
class StoreObjects:
    """``ObjectOps`` for the stores of one glance-api configuration."""

    glance: GlanceApiConfig
    timeouts: Timeouts = field(default_factory=Timeouts)
    _options: dict[str, StoreOptions] = field(default_factory=dict, repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def options(self, store: str) -> StoreOptions:
        if store not in self._options:
            try:
                self._options[store] = store_options(self.glance, store)
            except OptionsError as exc:
                raise StepError(f"store {store}: {exc}") from None
        return self._options[store]

    def stat(self, ref: ObjectRef) -> dict[str, Any] | None:
        if ref.kind == "file":
            return _file_stat(ref)
        if ref.kind == "s3":
            return self._s3_stat(ref)
        if ref.kind == "swift":
            return self._swift_call("HEAD", ref)
        raise StepError(f"{ref}: objects of kind {ref.kind!r} are not handled")

    def remove(self, ref: ObjectRef) -> None:
        if ref.kind == "file":
            _file_move(ref)
        elif ref.kind == "s3":
            self._s3_delete(ref)
        else:
            self._swift_call("DELETE", ref)

    # ------------------------------------------------------------------ S3

    def _s3(self, ref: ObjectRef) -> Any:
        if ref.store not in self._clients:
            try:
                access = s3.S3Access.of(self.options(ref.store))
                self._clients[ref.store] = s3.boto3_client(access, self.timeouts)
            except ListingError as exc:
                raise StepError(f"{ref}: {exc}") from None
        return self._clients[ref.store]

    def _s3_stat(self, ref: ObjectRef) -> dict[str, Any] | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self._s3(ref).head_object(Bucket=ref.where, Key=ref.name)
        except ClientError as exc:
            if _s3_status(exc) == 404:
                return None
            raise StepError(f"{ref}: HTTP {_s3_status(exc)}") from None
        except BotoCoreError as exc:
            raise StepError(f"{ref}: {exc}") from None
        return {"size": int(head.get("ContentLength", 0))}

    def _s3_delete(self, ref: ObjectRef) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._s3(ref).delete_object(Bucket=ref.where, Key=ref.name)
        except ClientError as exc:
            raise StepError(f"{ref}: HTTP {_s3_status(exc)}") from None
        except BotoCoreError as exc:
            raise StepError(f"{ref}: {exc}") from None

    # ------------------------------------------------------------------ Swift

    def _swift(self, ref: ObjectRef) -> swift.Session:
        if ref.store not in self._clients:
            try:
                access = swift.access_of(self.options(ref.store))
                self._clients[ref.store] = swift.authenticate(access, self.timeouts)
            except ListingError as exc:
                raise StepError(f"{ref}: {exc}") from None
        session: swift.Session = self._clients[ref.store]
        return session

    def _swift_call(self, method: str, ref: ObjectRef) -> dict[str, Any] | None:
        session = self._swift(ref)
        url = f"{swift.container_url(session, ref.where)}/{quote(ref.name)}"
        try:
            resp = requests.request(
                method, url, headers={"X-Auth-Token": session.token}, timeout=self.timeouts.pair
            )
        except requests.RequestException as exc:
            raise StepError(f"{ref}: cannot connect ({type(exc).__name__})") from None
        if resp.status_code == 404:
            return None
        if resp.status_code >= 400:
            raise StepError(f"{ref}: HTTP {resp.status_code}", resp.status_code)
        return {"size": int(resp.headers.get("Content-Length") or 0)}


def _s3_status(exc: Any) -> int | None:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status else None


def _file_stat(ref: ObjectRef) -> dict[str, Any] | None:
    try:
        info = os.stat(os.path.join(ref.where, ref.name), follow_symlinks=False)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StepError(f"{ref}: {exc.strerror or type(exc).__name__}") from None
    return {"size": info.st_size}


def _file_move(ref: ObjectRef) -> None:
    target = quarantine_dir(ref.where)
    try:
        os.makedirs(target, mode=0o700, exist_ok=True)
        os.rename(os.path.join(ref.where, ref.name), os.path.join(target, ref.name))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StepError(f"{ref}: {exc.strerror or type(exc).__name__}") from None
