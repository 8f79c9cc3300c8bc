"""Every audit rule, listed explicitly: the only place a new rule is switched on.

Concepts: ``RULES`` is a literal tuple in the order results are reported; nothing is
registered by importing a module. Adding a rule means writing its module under
``audit/rules/``, its page ``docs/rules/<id>.md``, its pass and fail fixtures under
``tests/fixtures/audit/<id>/``, and one line here (tests check all four).
"""

from __future__ import annotations

from imageyard.audit.rule import Rule
from imageyard.audit.rules import (
    backends,
    cache,
    cinder,
    cow_eligibility,
    file_stores,
    format_images,
    hidden,
    imports,
    lifecycle,
    locations,
    nova,
    owners,
    signing,
    startup,
    store_options,
    visibility,
    weights,
)

RULES: tuple[Rule, ...] = (
    # glance-api, nova-compute or cinder-volume would not start
    backends.default_backend_not_enabled,
    backends.reserved_store_id_enabled,
    startup.store_type_unknown,
    startup.default_store_not_loaded,
    startup.option_list_without_brackets,
    cache.cache_without_self_reference_url,
    nova.nova_rbd_force_raw_off,
    startup.nova_option_rejected,
    # copy-on-write from Glance images
    locations.rbd_store_without_direct_url,
    nova.nova_rbd_cluster_mismatch,
    cinder.cinder_rbd_cluster_mismatch,
    imports.image_conversion_off_with_rbd_default,
    cow_eligibility.cow_not_eligible,
    # security
    locations.locations_exposed_user_facing,
    signing.signature_verify_cow_bypass,
    signing.image_signature_incomplete,
    signing.public_image_unsigned,
    signing.signed_image_converted_on_import,
    # store layout
    file_stores.staging_dir_inside_file_store,
    file_stores.shared_file_store_datadir,
    startup.rbd_stores_share_pool,
    backends.multiple_http_stores,
    imports.copy_image_not_enabled,
    weights.store_weights_tied,
    # caches
    cache.glance_cache_with_rbd,
    cinder.cinder_image_cache_no_internal_tenant,
    # per-image formats
    format_images.non_raw_in_rbd,
    format_images.raw_label_mismatch,
    format_images.qcow2_backing_file,
    format_images.disk_format_not_allowed,
    # lifecycle and hygiene
    lifecycle.removed_option,
    lifecycle.deprecated_option,
    store_options.unknown_store_option,
    owners.image_owner_deleted,
    # visibility and sharing
    visibility.public_image_foreign_owner,
    visibility.image_used_cross_project,
    visibility.image_member_stale,
    visibility.public_image_duplicate,
    visibility.community_image_sprawl,
    hidden.hidden_image_public_name,
)


def rules_by_id() -> dict[str, Rule]:
    """The registered rules keyed by id."""
    return {r.id: r for r in RULES}
