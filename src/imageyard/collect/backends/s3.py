"""An S3 store's bucket, listed with boto3 as glance_store's s3 driver talks to it.

Concepts: the client is built the way the driver builds its own (``s3.py``
``_create_s3_client``): the store's access and secret key, ``s3_store_host`` as the endpoint
(unless ``s3_store_region_name`` names a region), ``s3_store_bucket_url_format`` as the
addressing style; here with the run's connect and read timeouts and boto3's retries capped.
``ListObjectsV2`` pages of ``page_size`` keys are followed by continuation token. A bucket
that does not exist holds nothing (the driver creates it on the first upload); any other
error ends the listing with one line (the S3 error code and message, or the connection
failure), never the credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from imageyard.collect.backends.listing import ListingError, iso_utc
from imageyard.collect.backends.options import StoreOptions
from imageyard.collect.openstack.probe import Timeouts
from imageyard.model.objects import StoredObject

PAGE_SIZE = 1000


@dataclass(frozen=True)
class S3Access:
    """How to reach one S3 store's bucket (the secret stays in memory only)."""

    host: str
    bucket: str
    access_key: str
    secret_key: str = ""
    region: str | None = None
    url_format: str = "auto"

    @classmethod
    def of(cls, options: StoreOptions) -> S3Access:
        """From the store's options; raises ListingError naming a missing one."""
        need = ("s3_store_host", "s3_store_bucket", "s3_store_access_key", "s3_store_secret_key")
        missing = [k for k in need if not options.get(k)]
        if missing:
            raise ListingError(f"option(s) not set: {', '.join(missing)}")
        return cls(
            host=options.get("s3_store_host") or "",
            bucket=options.get("s3_store_bucket") or "",
            access_key=options.get("s3_store_access_key") or "",
            secret_key=options.get("s3_store_secret_key") or "",
            region=options.get("s3_store_region_name"),
            url_format=options.get("s3_store_bucket_url_format", "auto") or "auto",
        )

    def __repr__(self) -> str:
        return f"S3Access(host={self.host!r}, bucket={self.bucket!r})"


S3ClientFactory = Callable[[S3Access, Timeouts], Any]


def boto3_client(access: S3Access, timeouts: Timeouts) -> Any:
    """A boto3 S3 client for ``access``; ListingError when boto3 is not installed."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise ListingError("boto3 is not installed (pip install 'imageyard[s3]')") from None
    host = access.host if "://" in access.host else f"http://{access.host}"
    config = Config(
        s3={"addressing_style": access.url_format},
        connect_timeout=timeouts.connect,
        read_timeout=timeouts.read,
        retries={"max_attempts": 2, "mode": "standard"},
    )
    return boto3.session.Session(
        aws_access_key_id=access.access_key, aws_secret_access_key=access.secret_key
    ).client(
        "s3",
        endpoint_url=host,
        region_name=access.region or "us-east-1",
        config=config,
    )


def list_bucket(client: Any, bucket: str, page_size: int = PAGE_SIZE) -> Iterator[StoredObject]:
    """Every object of ``bucket``, page by page; raises ListingError on any failure."""
    token: str | None = None
    while True:
        page = _page(client, bucket, page_size, token)
        for row in page.get("Contents", ()):
            modified = row.get("LastModified")
            yield StoredObject(str(row["Key"]), int(row.get("Size", 0)), iso_utc(modified))
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated"):
            return
        if not token:
            raise ListingError(f"bucket {bucket}: truncated page without a continuation token")


def _page(client: Any, bucket: str, page_size: int, token: str | None) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    args: dict[str, Any] = {"Bucket": bucket, "MaxKeys": page_size}
    if token:
        args["ContinuationToken"] = token
    try:
        page: dict[str, Any] = client.list_objects_v2(**args)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") == "NoSuchBucket":
            return {}
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        text = f"{error.get('Code', 'error')}: {error.get('Message') or ''}".rstrip(": ")
        raise ListingError(f"bucket {bucket}: HTTP {status} {text}") from None
    except BotoCoreError as exc:
        raise ListingError(f"bucket {bucket}: {exc}") from None
    return page
