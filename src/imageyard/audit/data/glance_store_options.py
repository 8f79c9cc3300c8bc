"""The options each glance_store driver reads from a store's section, as data.

Concepts: in multi-store mode glance_store registers, for every ``id:type`` of
``enabled_backends``, that driver's options plus the multi-backend options
(``store_description``, ``weight``) in the ``[id]`` section, and every driver's options in
``[backend_defaults]``. oslo.config ignores any other key there without a word, so a
misspelt option is silently lost. The reserved ``os_glance_*`` stores get a fixed set of
filesystem options.

Taken from glance_store 5.7.0 (``glance_store/_drivers/*``, ``glance_store/driver.py``
``_MULTI_BACKEND_OPTS`` and ``glance_store/multi_backend.py`` ``register_store_opts``);
``tests/unit/audit/test_audit_store_options_data.py`` compares it with the installed
glance_store in the lab. Update both together when moving to a newer glance_store.
"""

from __future__ import annotations

GLANCE_STORE_VERSION = "5.7.0"

MULTI_BACKEND_OPTIONS: frozenset[str] = frozenset(("store_description", "weight"))

DRIVER_OPTIONS: dict[str, frozenset[str]] = {
    "cinder": frozenset(
        {
            "cinder_api_insecure",
            "cinder_attachment_retry_attempts",
            "cinder_ca_certificates_file",
            "cinder_catalog_info",
            "cinder_do_extend_attached",
            "cinder_endpoint_template",
            "cinder_enforce_multipath",
            "cinder_http_retries",
            "cinder_mount_point_base",
            "cinder_os_region_name",
            "cinder_state_transition_timeout",
            "cinder_store_application_credential_id",
            "cinder_store_application_credential_secret",
            "cinder_store_auth_address",
            "cinder_store_password",
            "cinder_store_project_domain_name",
            "cinder_store_project_name",
            "cinder_store_user_domain_name",
            "cinder_store_user_name",
            "cinder_use_multipath",
            "cinder_volume_type",
            "rootwrap_config",
        }
    ),
    "file": frozenset(
        {
            "filesystem_store_chunk_size",
            "filesystem_store_datadir",
            "filesystem_store_datadirs",
            "filesystem_store_file_perm",
            "filesystem_store_metadata_file",
            "filesystem_store_thread_pool_size",
            "filesystem_store_threadpool_threshold",
            "filesystem_store_timeout",
            "filesystem_thin_provisioning",
        }
    ),
    "http": frozenset(
        {
            "http_proxy_information",
            "https_ca_certificates_file",
            "https_insecure",
        }
    ),
    "rbd": frozenset(
        {
            "rados_connect_timeout",
            "rbd_store_ceph_conf",
            "rbd_store_chunk_size",
            "rbd_store_pool",
            "rbd_store_user",
            "rbd_thin_provisioning",
        }
    ),
    "s3": frozenset(
        {
            "s3_store_access_key",
            "s3_store_bucket",
            "s3_store_bucket_url_format",
            "s3_store_cacert",
            "s3_store_create_bucket_on_put",
            "s3_store_enable_data_integrity_protection",
            "s3_store_host",
            "s3_store_large_object_chunk_size",
            "s3_store_large_object_size",
            "s3_store_region_name",
            "s3_store_request_checksum_calculation",
            "s3_store_response_checksum_validation",
            "s3_store_secret_key",
            "s3_store_thread_pools",
        }
    ),
    "swift": frozenset(
        {
            "default_swift_reference",
            "swift_buffer_on_upload",
            "swift_store_admin_tenants",
            "swift_store_application_credential_id",
            "swift_store_application_credential_secret",
            "swift_store_auth_address",
            "swift_store_auth_insecure",
            "swift_store_auth_version",
            "swift_store_cacert",
            "swift_store_config_file",
            "swift_store_container",
            "swift_store_create_container_on_put",
            "swift_store_endpoint",
            "swift_store_endpoint_type",
            "swift_store_expire_soon_interval",
            "swift_store_key",
            "swift_store_large_object_chunk_size",
            "swift_store_large_object_size",
            "swift_store_multi_tenant",
            "swift_store_multiple_containers_seed",
            "swift_store_project_id",
            "swift_store_project_name",
            "swift_store_region",
            "swift_store_retry_get_count",
            "swift_store_service_type",
            "swift_store_ssl_compression",
            "swift_store_use_trusts",
            "swift_store_user",
            "swift_upload_buffer_dir",
        }
    ),
    "vmware": frozenset(
        {
            "vmware_api_retry_count",
            "vmware_ca_file",
            "vmware_datastores",
            "vmware_insecure",
            "vmware_server_host",
            "vmware_server_password",
            "vmware_server_username",
            "vmware_store_image_dir",
            "vmware_task_poll_interval",
        }
    ),
}

# old option names oslo.config still accepts (deprecated_name / deprecated_opts)
DEPRECATED_ALIASES: dict[str, frozenset[str]] = {
    "cinder": frozenset({"os_region_name"}),
    "file": frozenset(),
    "http": frozenset(),
    "rbd": frozenset(),
    "s3": frozenset(),
    "swift": frozenset(),
    "vmware": frozenset({"vmware_api_insecure"}),
}

# what multi_backend.register_store_opts registers for os_glance_staging_store/_tasks_store
RESERVED_STORE_OPTIONS: frozenset[str] = frozenset(
    {
        "filesystem_store_datadir",
        "filesystem_store_datadirs",
        "filesystem_store_metadata_file",
        "filesystem_store_file_perm",
        "filesystem_store_chunk_size",
        "filesystem_thin_provisioning",
    }
)
