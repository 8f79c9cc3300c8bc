"""Glance's own option names per config file and section, as data.

Concepts: design only emits options that exist in the target release. Store sections are
checked against ``imageyard.audit.data.glance_store_options``; every other section of
glance-api.conf and glance-image-import.conf is checked against this table. It was printed by
``extract_glance_options.py`` run with the Glance venv of the lab (glance and glance_store at
the versions below); ``tests/lab/test_lab_design.py`` compares it with the live venv.
Regenerate both together when moving to a newer Glance.
"""

from __future__ import annotations

GLANCE_VERSION = "33.0.0"
GLANCE_STORE_VERSION = "5.7.0"

GLANCE_FILE_OPTIONS: dict[str, dict[str, frozenset[str]]] = {
    "glance-api.conf": {
        "DEFAULT": frozenset(
            {
                "allow_anonymous_access",
                "api_limit_max",
                "default_publisher_id",
                "delayed_delete",
                "digest_algorithm",
                "disabled_notifications",
                "do_secure_hash",
                "enabled_backends",
                "enabled_import_methods",
                "hashing_algorithm",
                "http_retries",
                "image_cache_dir",
                "image_cache_driver",
                "image_cache_max_size",
                "image_cache_sqlite_db",
                "image_cache_stall_time",
                "image_location_quota",
                "image_member_quota",
                "image_property_quota",
                "image_size_cap",
                "image_tag_quota",
                "limit_param_default",
                "max_request_id_length",
                "metadata_encryption_key",
                "node_staging_uri",
                "property_protection_file",
                "property_protection_rule_format",
                "public_endpoint",
                "pydev_worker_debug_host",
                "pydev_worker_debug_port",
                "scrub_pool_size",
                "scrub_time",
                "show_image_direct_url",
                "show_multiple_locations",
                "use_keystone_limits",
                "user_storage_quota",
                "worker_self_reference_url",
            }
        ),
        "glance_store": frozenset(
            {
                "default_backend",
            }
        ),
        "image_format": frozenset(
            {
                "container_formats",
                "disk_formats",
                "gpt_safety_checks_nonfatal",
                "require_image_format_match",
                "vmdk_allowed_types",
            }
        ),
        "paste_deploy": frozenset(
            {
                "config_file",
                "flavor",
            }
        ),
        "profiler": frozenset(
            {
                "connection_string",
                "enabled",
                "es_doc_type",
                "es_scroll_size",
                "es_scroll_time",
                "filter_error_trace",
                "hmac_keys",
                "sentinel_service_name",
                "socket_timeout",
                "trace_requests",
                "trace_sqlalchemy",
            }
        ),
        "task": frozenset(
            {
                "task_executor",
                "task_time_to_live",
                "work_dir",
            }
        ),
        "taskflow_executor": frozenset(
            {
                "conversion_format",
                "engine_mode",
                "max_workers",
            }
        ),
        "wsgi": frozenset(
            {
                "python_interpreter",
                "task_pool_threads",
            }
        ),
    },
    "glance-image-import.conf": {
        "glance_download_properties": frozenset(
            {
                "extra_properties",
            }
        ),
        "image_conversion": frozenset(
            {
                "output_format",
            }
        ),
        "image_import_opts": frozenset(
            {
                "image_import_plugins",
                "max_parallel_stores",
            }
        ),
        "import_filtering_opts": frozenset(
            {
                "allowed_hosts",
                "allowed_ports",
                "allowed_schemes",
                "disallowed_hosts",
                "disallowed_ports",
                "disallowed_schemes",
            }
        ),
        "inject_metadata_properties": frozenset(
            {
                "ignore_user_roles",
                "inject",
            }
        ),
    },
}
