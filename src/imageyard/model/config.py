"""Configuration as read from files: every value keeps the file and line it came from.

Concepts:

* ``ConfigValue`` is one option as written: its section, key, raw text (secrets already
  replaced by ``REDACTED``) and ``file:line``. Repeated keys keep every occurrence.
* ``ConfigFile`` is what became of one file: present or not, its size, and the values read.
* The parsed views (``GlanceApiConfig``, ``GlanceImportConfig``, ``NovaConfig``,
  ``CinderConfig``, ``CephConfig``) name the options imageyard reasons about. Each option
  field is a ``ConfigValue`` (or None when the option is not set), so every later finding
  can cite ``file:line``. The views never apply defaults to the fields themselves; typed
  properties (``weight``, ``uses_rbd`` ...) apply the upstream defaults where documented.
* A service process reads an ordered list of files (``ServiceConfig``): each
  ``--config-file`` in turn, then each ``--config-dir``'s ``*.conf`` sorted by name; for a
  single-valued option the last occurrence in the last file that sets it wins, exactly as
  oslo.config's ``_Namespace`` does. The parsed views are built from that merged list, so
  their ``ConfigValue`` fields are the effective occurrences (their ``file:line`` is the
  one oslo.config uses); ``DeploymentConfig.effective`` also returns the occurrences it
  overrides. glance-api reads ``glance-image-import.conf`` first and ``glance-api.conf``
  after it (glance ``common/wsgi_app.py`` ``CONFIG_FILES``), then ``glance.conf.d`` and
  ``glance-api.conf.d``.
* ``DeploymentConfig`` gathers the views of one deployment plus reader warnings.
* ``as_bool``, ``as_int``, ``as_list`` and ``as_dict`` interpret oslo.config value syntax.
  They never raise: an unset option gives the default, an unparseable one gives None, and
  ``value_problem`` explains why.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

REDACTED = "***"

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


@dataclass(frozen=True)
class ConfigValue:
    """One option occurrence: ``[section] key = value`` at ``path:line``."""

    section: str
    key: str
    value: str
    path: str
    line: int
    redacted: bool = False

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


class Service(enum.StrEnum):
    """The service processes whose configuration imageyard models."""

    GLANCE_API = "glance-api"
    GLANCE_IMAGE_IMPORT = "glance-image-import"
    NOVA_COMPUTE = "nova-compute"
    CINDER_VOLUME = "cinder-volume"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ServiceConfig:
    """One service process's configuration: the files it reads, in load order (last wins).

    ``name`` tells instances of one service apart (a compute group's main file).
    """

    service: Service
    files: tuple[str, ...]
    name: str = ""


@dataclass(frozen=True)
class EffectiveOption:
    """The occurrence of an option that oslo.config uses, and the ones it overrides.

    ``overridden`` lists the earlier occurrences in load order (earlier files first, then
    earlier lines); ``value`` is the last one.
    """

    value: ConfigValue
    overridden: tuple[ConfigValue, ...] = ()

    @property
    def where(self) -> str:
        return self.value.where


def oslo_group(name: str) -> str:
    """oslo.config group names are case-insensitive, except ``DEFAULT``."""
    return name if name == "DEFAULT" else name.lower()


@dataclass(frozen=True)
class ConfigFile:
    """One configuration file and the values read from it (in file order)."""

    kind: str  # glance-api | glance-image-import | nova | cinder | ceph | glance-swift
    path: str
    sha256: str
    size: int
    values: tuple[ConfigValue, ...] = ()


# ---------------------------------------------------------------- value interpretation


def _parse_bool(text: str) -> bool | None:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def _parse_int(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def _strip_quotes(item: str) -> str:
    if len(item) >= 2 and item[0] == item[-1] and item[0] in "\"'":
        return item[1:-1]
    return item


def _parse_list(text: str) -> tuple[str, ...]:
    body = text.strip()
    if body.startswith("[") and body.endswith("]"):
        body = body[1:-1]
    items = (_strip_quotes(part.strip()) for part in body.split(","))
    return tuple(item for item in items if item)


def _parse_dict(text: str) -> tuple[tuple[str, str], ...] | None:
    pairs: list[tuple[str, str]] = []
    for item in _parse_list(text):
        key, sep, value = item.partition(":")
        if not sep or not key.strip() or key.strip() in (k for k, _ in pairs):
            return None
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def as_bool(cv: ConfigValue | None, default: bool | None = None) -> bool | None:
    """oslo BoolOpt: true/false/yes/no/on/off/1/0 (any case); None if unparseable."""
    return default if cv is None else _parse_bool(cv.value)


def as_int(cv: ConfigValue | None, default: int | None = None) -> int | None:
    """oslo IntOpt: a decimal integer; None if unparseable."""
    return default if cv is None else _parse_int(cv.value)


def as_list(cv: ConfigValue | None, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    """oslo ListOpt: ``a,b``, ``a, b`` or ``[a,b]``; quotes around items are dropped."""
    return default if cv is None else _parse_list(cv.value)


def as_dict(
    cv: ConfigValue | None, default: tuple[tuple[str, str], ...] = ()
) -> tuple[tuple[str, str], ...] | None:
    """oslo DictOpt ``a:x, b:y`` as ordered pairs; None if an item lacks ``:`` or repeats."""
    return default if cv is None else _parse_dict(cv.value)


class ValueKind(enum.StrEnum):
    """The oslo option types ``value_problem`` can check."""

    BOOL = "boolean"
    INT = "integer"
    DICT = "id:value dictionary"


def value_problem(cv: ConfigValue | None, kind: ValueKind) -> str | None:
    """A sentence naming ``file:line`` when ``cv`` is not a valid ``kind``; None when fine."""
    if cv is None or cv.redacted:
        return None
    ok = {
        ValueKind.BOOL: lambda: _parse_bool(cv.value) is not None,
        ValueKind.INT: lambda: _parse_int(cv.value) is not None,
        ValueKind.DICT: lambda: _parse_dict(cv.value) is not None,
    }[kind]()
    if ok:
        return None
    return f"{cv.where}: [{cv.section}] {cv.key} = {cv.value!r} is not a valid {kind.value}"


def pick(values: tuple[ConfigValue, ...], key: str) -> ConfigValue | None:
    """The effective (last) occurrence of ``key`` among ``values``, or None."""
    found = None
    for cv in values:
        if cv.key == key:
            found = cv
    return found


# ---------------------------------------------------------------- Glance


class StoreType(enum.StrEnum):
    """glance_store driver types (``enabled_backends`` values)."""

    FILE = "file"
    RBD = "rbd"
    SWIFT = "swift"
    S3 = "s3"
    HTTP = "http"
    CINDER = "cinder"
    VMWARE = "vmware"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, text: str) -> StoreType:
        """A type name as the Glance API reports it (any case; a legacy class path too).

        Configuration goes through ``from_entry_point``, which matches as stevedore does.
        """
        word = text.strip().lower()
        word = _CLASS_PATHS.get(word, word)
        try:
            return cls(word)
        except ValueError:
            return cls.UNKNOWN

    @classmethod
    def from_entry_point(cls, text: str) -> StoreType:
        """A ``glance_store.drivers`` entry-point name as config writes it (exact case).

        Besides the type names, glance_store's setup.cfg accepts the old class paths
        (``glance.store.rbd.Store`` ...); stevedore matches names exactly, so any other
        spelling loads no driver.
        """
        name = text.strip()
        found = STORE_ENTRY_POINTS.get(name)
        return found if found is not None else cls.UNKNOWN

    @classmethod
    def from_scheme(cls, scheme: str) -> StoreType:
        """The store type serving a single-store ``default_store`` scheme."""
        found = STORE_SCHEMES.get(scheme.strip())
        return found if found is not None else cls.UNKNOWN


# glance_store driver.py MULTI_BACKEND_OPTIONS: registered in the store's group only.
OWN_SECTION_ONLY = frozenset({"weight", "store_description"})

# glance_store setup.cfg [entry_points] glance_store.drivers (the test-only one left out).
STORE_ENTRY_POINTS: dict[str, StoreType] = {
    "file": StoreType.FILE,
    "http": StoreType.HTTP,
    "swift": StoreType.SWIFT,
    "rbd": StoreType.RBD,
    "cinder": StoreType.CINDER,
    "vmware": StoreType.VMWARE,
    "s3": StoreType.S3,
    "glance.store.filesystem.Store": StoreType.FILE,
    "glance.store.http.Store": StoreType.HTTP,
    "glance.store.swift.Store": StoreType.SWIFT,
    "glance.store.rbd.Store": StoreType.RBD,
    "glance.store.cinder.Store": StoreType.CINDER,
    "glance.store.vmware_datastore.Store": StoreType.VMWARE,
    "glance.store.s3.Store": StoreType.S3,
}

# glance_store backend.py default_store choices, by the driver whose get_schemes() has them.
STORE_SCHEMES: dict[str, StoreType] = {
    "file": StoreType.FILE,
    "filesystem": StoreType.FILE,
    "http": StoreType.HTTP,
    "https": StoreType.HTTP,
    "swift": StoreType.SWIFT,
    "swift+http": StoreType.SWIFT,
    "swift+https": StoreType.SWIFT,
    "swift+config": StoreType.SWIFT,
    "rbd": StoreType.RBD,
    "cinder": StoreType.CINDER,
    "vsphere": StoreType.VMWARE,
    "s3": StoreType.S3,
}


# NOTE: glance_store setup.cfg keeps these class paths as aliases of the driver entry points.
_CLASS_PATHS = {
    f"glance.store.{module}.store": driver
    for module, driver in (
        ("filesystem", "file"),
        ("rbd", "rbd"),
        ("swift", "swift"),
        ("s3", "s3"),
        ("http", "http"),
        ("cinder", "cinder"),
        ("vmware_datastore", "vmware"),
    )
}


@dataclass(frozen=True)
class BackendRef:
    """One ``id:type`` pair of ``[DEFAULT] enabled_backends``."""

    id: str
    type: str
    source: ConfigValue

    @property
    def store_type(self) -> StoreType:
        return StoreType.from_entry_point(self.type)


@dataclass(frozen=True)
class StoreConfig:
    """One Glance store: its id, driver type and every option of its section."""

    id: str
    type: str
    values: tuple[ConfigValue, ...] = ()
    section_found: bool = False
    reserved: bool = False

    @property
    def store_type(self) -> StoreType:
        return StoreType.from_entry_point(self.type)

    def get(self, key: str) -> ConfigValue | None:
        return pick(self.values, key)

    @property
    def store_description(self) -> ConfigValue | None:
        return self.get("store_description")

    @property
    def weight_value(self) -> ConfigValue | None:
        return self.get("weight")

    @property
    def weight(self) -> int | None:
        """IntOpt, default 0; None when written but not an integer."""
        return as_int(self.weight_value, 0)

    @property
    def filesystem_store_datadir(self) -> ConfigValue | None:
        return self.get("filesystem_store_datadir")

    @property
    def rbd_store_pool(self) -> ConfigValue | None:
        return self.get("rbd_store_pool")

    @property
    def rbd_store_user(self) -> ConfigValue | None:
        return self.get("rbd_store_user")

    @property
    def rbd_store_ceph_conf(self) -> ConfigValue | None:
        return self.get("rbd_store_ceph_conf")

    @property
    def rbd_store_chunk_size(self) -> ConfigValue | None:
        return self.get("rbd_store_chunk_size")

    @property
    def s3_store_host(self) -> ConfigValue | None:
        return self.get("s3_store_host")

    @property
    def s3_store_bucket(self) -> ConfigValue | None:
        return self.get("s3_store_bucket")

    @property
    def swift_store_container(self) -> ConfigValue | None:
        return self.get("swift_store_container")

    @property
    def swift_store_config_file(self) -> ConfigValue | None:
        return self.get("swift_store_config_file")

    @property
    def default_swift_reference(self) -> ConfigValue | None:
        return self.get("default_swift_reference")


@dataclass(frozen=True)
class GlanceApiConfig:
    """The parts of glance-api.conf that decide where image data lives and who sees it.

    ``name`` tells glance-api instances apart (glance-operator's API name, else the main
    file); ``user_facing`` is True for an API end users reach, False for an internal one
    (Nova, Cinder), None when the configuration does not say.
    """

    path: str = ""
    files: tuple[str, ...] = ()  # every file read, in load order
    name: str = ""
    user_facing: bool | None = None
    enabled_backends: ConfigValue | None = None
    backends: tuple[BackendRef, ...] = ()
    default_backend: ConfigValue | None = None
    stores: tuple[StoreConfig, ...] = ()
    reserved_stores: tuple[StoreConfig, ...] = ()
    backend_defaults: tuple[ConfigValue, ...] = ()
    show_image_direct_url: ConfigValue | None = None
    show_multiple_locations: ConfigValue | None = None
    image_cache_dir: ConfigValue | None = None
    image_cache_driver: ConfigValue | None = None
    image_cache_max_size: ConfigValue | None = None
    image_cache_stall_time: ConfigValue | None = None
    image_cache_sqlite_db: ConfigValue | None = None
    paste_flavor: ConfigValue | None = None
    worker_self_reference_url: ConfigValue | None = None
    public_endpoint: ConfigValue | None = None
    enabled_import_methods: ConfigValue | None = None
    image_import_plugins: ConfigValue | None = None
    image_conversion_output_format: ConfigValue | None = None
    legacy_stores: ConfigValue | None = None
    legacy_default_store: ConfigValue | None = None
    glance_store_values: tuple[ConfigValue, ...] = ()
    legacy_store: StoreConfig | None = None
    location_strategy: ConfigValue | None = None
    store_type_preference: ConfigValue | None = None
    delayed_delete: ConfigValue | None = None
    disk_formats: ConfigValue | None = None
    task_work_dir: ConfigValue | None = None
    node_staging_uri: ConfigValue | None = None

    @property
    def is_multistore(self) -> bool:
        return self.enabled_backends is not None

    def store(self, store_id: str) -> StoreConfig | None:
        return next((s for s in self.stores if s.id == store_id), None)

    def store_option(self, store_id: str, key: str) -> ConfigValue | None:
        """A store's option, falling back to ``[backend_defaults]`` as glance_store does.

        Driver options fall back (glance_store ``driver.BackendGroupConfiguration``);
        ``weight`` and ``store_description`` are read from the store's own section only.
        """
        found = self.store(store_id)
        own = found.get(key) if found is not None else None
        if own is not None or key in OWN_SECTION_ONLY:
            return own
        return pick(self.backend_defaults, key)

    @property
    def cache_enabled(self) -> bool:
        """Caching needs the ``cache`` paste filter and an ``image_cache_dir``."""
        flavor = self.paste_flavor.value if self.paste_flavor is not None else ""
        return "cach" in flavor and self.image_cache_dir is not None

    @property
    def cache_driver(self) -> str:
        """The effective cache driver (code default ``centralized_db``)."""
        cv = self.image_cache_driver
        return cv.value.strip() if cv is not None else "centralized_db"


@dataclass(frozen=True)
class GlanceImportConfig:
    """glance-image-import.conf: import plugins, conversion and web-download filtering."""

    path: str = ""
    files: tuple[str, ...] = ()  # every file read, in load order
    image_import_plugins: ConfigValue | None = None
    max_parallel_stores: ConfigValue | None = None
    output_format: ConfigValue | None = None
    inject_properties: ConfigValue | None = None
    inject_ignore_user_roles: ConfigValue | None = None
    allowed_schemes: ConfigValue | None = None
    disallowed_schemes: ConfigValue | None = None
    allowed_hosts: ConfigValue | None = None
    disallowed_hosts: ConfigValue | None = None
    allowed_ports: ConfigValue | None = None
    disallowed_ports: ConfigValue | None = None

    @property
    def plugins(self) -> tuple[str, ...]:
        return as_list(self.image_import_plugins)


# ---------------------------------------------------------------- Nova


@dataclass(frozen=True)
class NovaConfig:
    """One compute group's nova.conf: image backend, Glance access and the image cache.

    ``[image_cache]`` fields hold the option from its current group or, failing that,
    its deprecated ``[DEFAULT]`` name (the ConfigValue's section tells which).
    """

    path: str = ""
    files: tuple[str, ...] = ()  # every file read, in load order
    host: ConfigValue | None = None
    availability_zone: ConfigValue | None = None
    compute_driver: ConfigValue | None = None
    images_type: ConfigValue | None = None
    images_rbd_pool: ConfigValue | None = None
    images_rbd_ceph_conf: ConfigValue | None = None
    rbd_user: ConfigValue | None = None
    rbd_secret_uuid: ConfigValue | None = None
    images_rbd_glance_store_name: ConfigValue | None = None
    images_rbd_glance_copy_poll_interval: ConfigValue | None = None
    images_rbd_glance_copy_timeout: ConfigValue | None = None
    never_download_image_if_on_rbd: ConfigValue | None = None
    disable_deep_image_inspection: ConfigValue | None = None
    reserve_disk_resource_for_image_cache: ConfigValue | None = None
    force_raw_images: ConfigValue | None = None
    use_cow_images: ConfigValue | None = None
    instances_path: ConfigValue | None = None
    cache_manager_interval: ConfigValue | None = None
    cache_subdirectory_name: ConfigValue | None = None
    remove_unused_base_images: ConfigValue | None = None
    remove_unused_original_minimum_age_seconds: ConfigValue | None = None
    remove_unused_resized_minimum_age_seconds: ConfigValue | None = None
    precache_concurrency: ConfigValue | None = None
    glance_api_servers: ConfigValue | None = None
    glance_enable_rbd_download: ConfigValue | None = None
    glance_rbd_user: ConfigValue | None = None
    glance_rbd_pool: ConfigValue | None = None
    glance_rbd_ceph_conf: ConfigValue | None = None
    verify_glance_signatures: ConfigValue | None = None
    enable_certificate_validation: ConfigValue | None = None

    @property
    def effective_images_type(self) -> str:
        return self.images_type.value.strip() if self.images_type is not None else "default"

    @property
    def uses_rbd(self) -> bool:
        return self.effective_images_type == "rbd"


# ---------------------------------------------------------------- Cinder


@dataclass(frozen=True)
class CinderBackendConfig:
    """One ``enabled_backends`` section of cinder.conf.

    Options missing from the section fall back to ``[backend_defaults]``, as in Cinder; the
    ConfigValue's section shows where each value came from.
    """

    section: str
    section_found: bool = False
    values: tuple[ConfigValue, ...] = ()
    volume_driver: ConfigValue | None = None
    volume_backend_name: ConfigValue | None = None
    rbd_pool: ConfigValue | None = None
    rbd_user: ConfigValue | None = None
    rbd_ceph_conf: ConfigValue | None = None
    rbd_cluster_name: ConfigValue | None = None
    rbd_secret_uuid: ConfigValue | None = None
    rbd_flatten_volume_from_snapshot: ConfigValue | None = None
    rbd_max_clone_depth: ConfigValue | None = None
    image_volume_cache_enabled: ConfigValue | None = None
    image_volume_cache_max_size_gb: ConfigValue | None = None
    image_volume_cache_max_count: ConfigValue | None = None

    @property
    def is_rbd(self) -> bool:
        driver = self.volume_driver.value.strip() if self.volume_driver is not None else ""
        return driver.endswith("rbd.RBDDriver")


@dataclass(frozen=True)
class CinderConfig:
    """cinder.conf: backends, Glance access and the image-volume cache prerequisites."""

    path: str = ""
    files: tuple[str, ...] = ()  # every file read, in load order
    host: ConfigValue | None = None
    enabled_backends: ConfigValue | None = None
    backends: tuple[CinderBackendConfig, ...] = ()
    backend_defaults: tuple[ConfigValue, ...] = ()
    allowed_direct_url_schemes: ConfigValue | None = None
    cinder_internal_tenant_project_id: ConfigValue | None = None
    cinder_internal_tenant_user_id: ConfigValue | None = None
    verify_glance_signatures: ConfigValue | None = None
    image_conversion_dir: ConfigValue | None = None
    image_upload_use_cinder_backend: ConfigValue | None = None
    image_upload_use_internal_tenant: ConfigValue | None = None
    glance_api_servers: ConfigValue | None = None
    glance_auth_type: ConfigValue | None = None
    glance_section_found: bool = False

    @property
    def glance_auth_configured(self) -> bool:
        """A ``[glance]`` auth section lets Cinder use the service-only locations API."""
        return self.glance_auth_type is not None

    @property
    def has_internal_tenant(self) -> bool:
        return (
            self.cinder_internal_tenant_project_id is not None
            and self.cinder_internal_tenant_user_id is not None
        )


# ---------------------------------------------------------------- Ceph


@dataclass(frozen=True)
class CephConfig:
    """One Ceph cluster's conf file; the cluster name is the file name without ``.conf``.

    Ceph treats spaces, underscores and dashes in option names alike; the fields here are
    looked up under that rule, while each ConfigValue keeps the key as written.
    """

    path: str = ""
    cluster: str = "ceph"
    fsid: ConfigValue | None = None
    mon_host: ConfigValue | None = None
    keyring: ConfigValue | None = None
    sections: tuple[str, ...] = ()
    client_sections: tuple[str, ...] = ()
    client_keyrings: tuple[ConfigValue, ...] = ()
    clone_formats: tuple[ConfigValue, ...] = ()  # rbd_default_clone_format per section

    def clone_format(self, entity: str) -> ConfigValue | None:
        """``rbd_default_clone_format`` as ``entity`` (``client.nova``) reads it: its own
        section, then ``[client]``, then ``[global]``; None when unset (librbd: ``auto``)."""
        for section in (entity, "client", "global"):
            found = [v for v in self.clone_formats if v.section == section]
            if found:
                return found[-1]
        return None


# ---------------------------------------------------------------- the deployment


@dataclass(frozen=True)
class DeploymentConfig:
    """Every configuration file read for one deployment, and its parsed views."""

    files: tuple[ConfigFile, ...] = ()
    glance_api: GlanceApiConfig | None = None  # the primary instance (see glance_api_instances)
    glance_import: GlanceImportConfig | None = None
    nova: tuple[NovaConfig, ...] = ()
    cinder: tuple[CinderConfig, ...] = ()
    ceph: tuple[CephConfig, ...] = ()
    warnings: tuple[str, ...] = ()
    services: tuple[ServiceConfig, ...] = ()
    more_glance_apis: tuple[GlanceApiConfig, ...] = ()  # the other glance-api instances

    def glance_api_instances(self) -> tuple[GlanceApiConfig, ...]:
        """Every glance-api instance, the primary one (the internal API if known) first."""
        return (self.glance_api, *self.more_glance_apis) if self.glance_api else ()

    def ceph_cluster(self, name: str) -> CephConfig | None:
        return next((c for c in self.ceph if c.cluster == name), None)

    def service_configs(self, service: Service) -> tuple[ServiceConfig, ...]:
        """Every instance of ``service`` (one per compute group for nova-compute)."""
        return tuple(s for s in self.services if s.service is service)

    def occurrences(self, svc: ServiceConfig, section: str, key: str) -> tuple[ConfigValue, ...]:
        """Every occurrence of ``[section] key`` that ``svc`` reads, in load order."""
        by_path = {f.path: f for f in self.files if f.kind != "ceph"}
        group = oslo_group(section)
        return tuple(
            cv
            for path in svc.files
            if path in by_path
            for cv in by_path[path].values
            if cv.key == key and oslo_group(cv.section) == group
        )

    def effective(self, svc: ServiceConfig, section: str, key: str) -> EffectiveOption | None:
        """The occurrence oslo.config uses for ``[section] key`` in ``svc``, or None if unset."""
        found = self.occurrences(svc, section, key)
        return EffectiveOption(found[-1], found[:-1]) if found else None
