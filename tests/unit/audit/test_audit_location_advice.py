"""What the location rules say about Nova, Cinder and the service-only locations API."""

from __future__ import annotations

import shutil
from pathlib import Path

from audit_support import ROOT, audit, collect_dir

from imageyard.audit.releases import parse_release
from imageyard.audit.rule import AuditContext

KOLLA_CEPH = ROOT / "tests" / "corpus" / "kolla-ceph"
OSA_FILE = ROOT / "tests" / "corpus" / "osa-file"


def _messages(path: Path, rule_id: str, release: str | None = None) -> list[str]:
    ctx = AuditContext(parse_release(release))
    result = audit(collect_dir(path), rule_id, ctx=ctx)
    return [f.message for f in result.findings]


def test_hidden_locations_name_cinder_with_glance_auth_as_still_cloning() -> None:
    [message] = _messages(KOLLA_CEPH, "rbd-store-without-direct-url")
    assert "Nova cannot clone" in message
    assert "cinder:rbd-1 still can" in message
    assert "service-only locations API" in message


def test_hidden_locations_before_glance_29_cite_no_locations_api() -> None:
    [message] = _messages(KOLLA_CEPH, "rbd-store-without-direct-url", "2024.1")
    assert "Nova and Cinder cannot clone" in message
    assert "locations API" not in message


def test_show_multiple_locations_advice_says_nova_has_no_replacement() -> None:
    [message] = _messages(OSA_FILE, "deprecated-option")
    assert "internal glance-api for Nova" in message
    assert "Cinder 27 and later" in message
    assert "for Nova and Cinder" not in message


def test_show_multiple_locations_advice_before_glance_29_cites_no_api() -> None:
    [message] = _messages(OSA_FILE, "deprecated-option", "2024.1")
    assert "locations API" not in message
    assert "internal glance-api" in message


def _two_apis(tmp_path: Path, extra: dict[str, str]) -> Path:
    """Two glance-api services of unknown role, each with its own directory and options."""
    for name, options in extra.items():
        conf = tmp_path / name / "glance-api.conf"
        conf.parent.mkdir()
        conf.write_text(
            f"[DEFAULT]\nenabled_backends = ceph:rbd\n{options}\n[glance_store]\n"
            "default_backend = ceph\n[ceph]\nrbd_store_pool = images\n"
        )
    return tmp_path


def test_two_glance_apis_that_disagree_on_locations_make_the_check_unknown(
    tmp_path: Path,
) -> None:
    shows = {"a-public": "show_image_direct_url = False", "b-other": "show_image_direct_url = True"}
    result = audit(collect_dir(_two_apis(tmp_path, shows)), "rbd-store-without-direct-url")
    assert not result.findings
    [unknown] = result.unknowns
    assert "a-public/glance-api.conf hides locations but" in unknown.reason
    assert "b-other/glance-api.conf shows them" in unknown.reason


def test_two_glance_apis_that_both_hide_locations_fail(tmp_path: Path) -> None:
    hide = {"a": "show_image_direct_url = False", "b": "show_multiple_locations = False"}
    result = audit(collect_dir(_two_apis(tmp_path, hide)), "rbd-store-without-direct-url")
    [finding] = result.findings
    assert str(finding.resource).endswith("a/glance-api.conf")


def test_locations_on_an_operator_external_api_are_user_facing(tmp_path: Path) -> None:
    log = "log_file = /var/log/glance/glance-default-{}.log\nshow_multiple_locations = {}"
    apis = {"ext": log.format("external", "True"), "int": log.format("internal", "True")}
    result = audit(collect_dir(_two_apis(tmp_path, apis)), "locations-exposed-user-facing")
    [finding] = result.findings
    assert str(finding.resource).endswith("ext/glance-api.conf")
    assert "user-facing API glance-default-external" in finding.message


def test_two_glance_apis_that_disagree_on_conversion_make_the_check_unknown(
    tmp_path: Path,
) -> None:
    plugins = "[image_import_opts]\nimage_import_plugins = {}"
    apis = {"a-first": plugins.format("[]"), "b-second": plugins.format("['image_conversion']")}
    result = audit(collect_dir(_two_apis(tmp_path, apis)), "image-conversion-off-with-rbd-default")
    assert not result.findings
    [unknown] = result.unknowns
    assert "a-first/glance-api.conf does not convert imports" in unknown.reason
    assert "b-second/glance-api.conf does" in unknown.reason


def test_conversion_is_judged_on_the_operator_external_api(tmp_path: Path) -> None:
    log = "log_file = /var/log/glance/glance-default-{}.log\n[image_import_opts]\n"
    apis = {
        "a-int": log.format("internal") + "image_import_plugins = ['image_conversion']",
        "b-ext": log.format("external") + "image_import_plugins = []",
    }
    result = audit(collect_dir(_two_apis(tmp_path, apis)), "image-conversion-off-with-rbd-default")
    [finding] = result.findings  # users import through b-ext, not the primary a-int
    assert "image_conversion import plugin is off" in finding.message


SPLIT = ROOT / "tests" / "corpus" / "glance-operator-ceph-split"


def test_glance_operator_internal_api_alone_is_not_user_facing(tmp_path: Path) -> None:
    shutil.copytree(SPLIT / "glance-default-internal-api-0", tmp_path / "pod")
    result = audit(collect_dir(tmp_path), "locations-exposed-user-facing")
    assert result.rules[0].verdict.value == "pass"


def test_glance_operator_external_api_alone_is_not_told_to_show_locations(
    tmp_path: Path,
) -> None:
    shutil.copytree(SPLIT / "glance-default-external-api-0", tmp_path / "pod")
    result = audit(collect_dir(tmp_path), "rbd-store-without-direct-url")
    assert not result.findings
    [unknown] = result.unknowns
    assert "glance-operator external API" in unknown.reason


def test_a_plain_glance_api_showing_locations_alone_is_still_flagged(tmp_path: Path) -> None:
    shutil.copytree(SPLIT / "glance-default-internal-api-0", tmp_path / "pod")
    conf = next((tmp_path / "pod").rglob("00-config.conf"))
    conf.write_text(conf.read_text().replace("glance-default-internal.log", "glance-api.log"))
    result = audit(collect_dir(tmp_path), "locations-exposed-user-facing")
    assert len(result.findings) == 1


def test_no_finding_cites_the_locations_api_before_glance_29() -> None:
    ctx = AuditContext(parse_release("2024.1"))
    corpus = ROOT / "tests" / "corpus"
    texts = [
        f"{f.message} {f.remediation}"
        for d in sorted(p for p in corpus.iterdir() if p.is_dir())
        for f in audit(collect_dir(d), ctx=ctx).findings
    ]
    assert any("show_multiple_locations" in t for t in texts)
    assert not [t for t in texts if "locations API" in t]


def test_copy_image_is_checked_on_every_glance_api_instance(tmp_path: Path) -> None:
    for pod, kind, methods in (("a-ext", "external", "copy-image"), ("b-int", "internal", "")):
        conf = tmp_path / pod / "glance-api.conf"
        conf.parent.mkdir()
        conf.write_text(
            f"[DEFAULT]\nlog_file = /var/log/glance/glance-default-{kind}.log\n"
            f"enabled_import_methods = [{methods}]\nenabled_backends = a:file, b:file\n"
            "[glance_store]\ndefault_backend = a\n"
        )
    [finding] = audit(collect_dir(tmp_path), "copy-image-not-enabled").findings
    assert str(finding.resource).endswith("b-int/glance-api.conf")
