"""The audit JSON writer: msgspec's text is json.dumps's text, whatever the values hold."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imageyard import secrets
from imageyard.audit.engine import AuditResult
from imageyard.audit.rule import AuditContext
from imageyard.files import write_text
from imageyard.model.finding import (
    Confidence,
    Evidence,
    Finding,
    MuteNote,
    ProposedAction,
    Resource,
    Severity,
    Status,
    Unknown,
)
from imageyard.report import json_format, json_template, view
from imageyard.report.view import result_document
from imageyard.secrets import REDACTED, Redactor

_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=20)
_EVIDENCE = st.builds(Evidence, _TEXT, st.none() | _TEXT, st.none() | st.integers())
_PLAIN = _TEXT | st.integers()
_PARAM = _PLAIN | st.floats(allow_nan=True, allow_infinity=True)


def _finding(params: list[tuple[str, Any]], evidence: tuple[Evidence, ...], text: str) -> Finding:
    return Finding(
        "cow-not-eligible",
        Resource("image", text),
        f"message {text}\n",
        Severity.HIGH,
        Confidence.MEDIUM,
        evidence,
        remediation=text,
        action=ProposedAction("convert-to-raw", tuple(params)),
        status=Status.MUTED,
        mute=MuteNote(text, "2030-01-01", "mute.yaml:1"),
    )


_FINDINGS = st.builds(
    _finding,
    st.dictionaries(_TEXT, _PARAM, max_size=3).map(lambda d: list(d.items())),
    st.lists(_EVIDENCE, max_size=3).map(tuple),
    _TEXT,
)
_UNKNOWNS = st.builds(
    Unknown, _TEXT, st.builds(Resource, _TEXT, _TEXT), _TEXT, st.lists(_EVIDENCE).map(tuple)
)


def _result(findings: list[Finding], unknowns: list[Unknown]) -> AuditResult:
    return AuditResult(AuditContext().release, (), tuple(findings), tuple(unknowns))


def _dumps(result: AuditResult) -> str:
    doc = result_document(result)
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@settings(max_examples=300, deadline=None)
@given(st.lists(_FINDINGS, max_size=6), st.lists(_UNKNOWNS, max_size=6), st.integers(1, 4))
def test_the_text_is_json_dumps_text(
    findings: list[Finding], unknowns: list[Unknown], batch: int
) -> None:
    result = _result(findings, unknowns)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_format, "BATCH", batch)
        assert json_format.render(result) == _dumps(result)


def _no_fallback(*_: object) -> str:
    raise AssertionError("written by jsontext")


def test_plain_elements_are_written_by_msgspec(monkeypatch: pytest.MonkeyPatch) -> None:
    evidence = (Evidence('[DEFAULT] a = "b"\t\x01 é', "/etc/x.conf", 3), Evidence("fact"))
    findings = [_finding([("image", f"id-{n}"), ("n", str(n))], evidence, "x") for n in range(5)]
    result = _result(findings, [Unknown("r", Resource("image", "a"), "why", evidence)])
    expected = _dumps(result)
    monkeypatch.setattr(json_format, "_slow", _no_fallback)
    monkeypatch.setattr(json_format, "BATCH", 2)
    assert json_format.render(result) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from('",\\\x00a'), max_size=6) | _TEXT, min_size=1))
def test_a_batch_of_strings_is_cut_back_into_each_string(texts: list[str]) -> None:
    quoted = json_template.quoted(json_template.encoded(texts))
    assert [json.loads(b'"' + q + b'"') for q in quoted] == texts


def test_plain_elements_are_filled_into_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    odd = 'a "q" \\ %s 100% \t\x01 é \u2028 "," \\"," x",'
    evidence = (Evidence(f"[DEFAULT] a = {odd}", "/etc/x.conf", 3), Evidence("fact"))
    findings = [
        _finding([("image", f"id-{n} {odd}"), (f"n{odd}", str(n))], evidence, f"x{odd}")
        for n in range(5)
    ]
    findings[2] = replace(findings[2], action=None, cause=f"cause {odd}")
    unknowns = [Unknown("r", Resource("image", odd), f"why {odd}", evidence, cause=odd)]
    result = _result(findings, unknowns)
    expected = _dumps(result)
    monkeypatch.setattr(json_format, "_slow", _no_fallback)
    monkeypatch.setattr(json_format, "_fast", _no_fallback)
    monkeypatch.setattr(json_format, "BATCH", 2)
    assert json_format.render(result) == expected


def test_a_secret_in_a_parameter_name_is_masked() -> None:
    # NOTE: a parameter name is written in an element's form, judged once per form
    redactor = Redactor()
    redactor.remember(["s3cr3t-name"])
    secrets.install(redactor)
    try:
        named = _finding([("image", "a"), ("s3cr3t-name", "b")], (), "a")
        result = _result([_finding([("image", "b")], (), "b"), named, named], [])
        text = json_format.render(result)
        assert "s3cr3t" not in text
        expected = secrets.scrub_data([result_document(result)])[0]
        assert json.loads(text)["findings"] == expected["findings"]
    finally:
        secrets.install(Redactor())


@pytest.mark.parametrize("value", [1.5, 1e16, float("nan"), float("inf")])
def test_a_float_in_a_batch_is_written_as_json_dumps_writes_it(value: float) -> None:
    # NOTE: msgspec writes 1e16 and NaN as 1e16 and null; json.dumps as 1e+16 and NaN
    plain = _finding([("image", "a")], (), "a")
    odd = _finding([("size", value)], (), "b")  # type: ignore[list-item]
    result = _result([plain, odd, plain], [])
    assert json_format.render(result) == _dumps(result)
    wrong_line = Unknown("r", Resource("image", "a"), "why", (Evidence("t", "p", value),))  # type: ignore[arg-type]
    result = _result([plain], [wrong_line])
    assert json_format.render(result) == _dumps(result)


def test_a_lone_surrogate_fails_as_it_always_did() -> None:
    result = _result([_finding([("image", "\ud800")], (), "a")], [])
    text = json_format.render(result)
    assert text == _dumps(result)
    with pytest.raises(UnicodeEncodeError):
        text.encode("utf-8")


def test_an_empty_result_has_empty_lists() -> None:
    result = replace(_result([], []), release_origin="x")
    assert json_format.render(result) == _dumps(result)


def test_a_secret_in_a_large_report_never_reaches_the_file(tmp_path: Path) -> None:
    redactor = Redactor()
    redactor.remember(['Tr0ub"4dor'])
    secrets.install(redactor)
    try:
        plain = [
            _finding([("image", f"id-{n}")], (Evidence("fact"),), f"i{n}") for n in range(2500)
        ]
        leaky = replace(
            plain[1500],
            message='image x: password="a b c" and Tr0ub"4dor',
            evidence=(Evidence("see http://u:pw@h/x, ok", "/etc/glance/glance-api.conf", 3),),
            remediation="run it with token=abcdef",
        )
        result = _result([*plain[:1500], leaky, *plain[1501:]], [])
        out = tmp_path / "audit.json"
        write_text(json_format.chunks(result), str(out), "report")
        text = out.read_text()
        assert "a b c" not in text and "4dor" not in text and "pw@" not in text
        assert "abcdef" not in text
        doc = json.loads(text)
        assert doc["findings"][1500]["message"] == f"image x: password={REDACTED} and {REDACTED}"
        assert doc["findings"][1500]["evidence"][0]["text"] == f"see http://u:{REDACTED}@h/x, ok"
        assert doc["findings"][1500]["remediation"] == f"run it with token={REDACTED}"
        others = _result(plain[:1500] + plain[1501:], [])
        assert [f for n, f in enumerate(doc["findings"]) if n != 1500] == json.loads(
            _dumps(others)
        )["findings"]
    finally:
        secrets.install(Redactor())


@pytest.mark.parametrize("fast", [True, False])
def test_the_evidence_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch, fast: bool) -> None:
    shared = (Evidence("[DEFAULT] a = b", "/etc/x.conf", 1),)
    own = [(Evidence(f"image {n}: disk_format = qcow2"),) for n in range(40)]
    findings = [_finding([], shared if n % 2 else own[n // 2], f"i{n}") for n in range(80)]
    result = _result(findings, [])
    expected = _dumps(result)
    sizes: list[int] = []
    real = json_format._Cache.bound

    def bound(cache: json_format._Cache) -> None:
        real(cache)
        held = (
            cache.docs,
            cache.by_list,
            cache.by_id,
            cache.pinned,
            cache.texts,
            cache.shared,
            cache.forms,
        )
        sizes.append(sum(len(h) for h in held))

    monkeypatch.setattr(json_format._Cache, "bound", bound)
    monkeypatch.setattr(json_format, "CACHED", 8)
    monkeypatch.setattr(json_format, "BATCH", 16)
    if not fast:
        monkeypatch.setattr(json_format, "_templated", lambda *_: None)
        monkeypatch.setattr(json_format, "_fast", lambda *_: None)
    assert json_format.render(result) == expected
    assert len(sizes) > 40 and max(sizes) <= 4 * 8


def test_a_secret_in_a_shared_cause_is_scrubbed_in_every_element(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redactor = Redactor()
    redactor.remember(["s3cr3t-literal"])
    secrets.install(redactor)
    try:
        cause = "consumer x: download; see rbd://u:hunter2@h/p and s3cr3t-literal"
        evidence = (Evidence("s3cr3t-literal in the conf", "/etc/x.conf", 1),)
        clean = [replace(_finding([], (), f"c{n}"), cause="no secret here") for n in range(7)]
        leaky = [replace(_finding([], evidence, f"i{n}"), cause=cause) for n in range(7)]
        unknowns = [
            Unknown("r", Resource("image", f"u{n}"), f"why {n}", evidence, cause=cause)
            for n in range(5)
        ]
        own = replace(clean[3], message="token=own-value")
        findings = [f for pair in zip(clean, leaky, strict=True) for f in pair]
        findings[6] = own
        result = _result(findings, unknowns)
        monkeypatch.setattr(json_format, "BATCH", 3)
        monkeypatch.setattr(json_format, "_slow", _no_fallback)
        text = json_format.render(result)
        assert "hunter2" not in text and "s3cr3t" not in text and "own-value" not in text
        doc = json.loads(text)
        masked = f"consumer x: download; see rbd://u:{REDACTED}@h/p and {REDACTED}"
        assert [f["cause"] for f in doc["findings"]] == [
            masked if f.cause == cause else f.cause for f in findings
        ]
        assert [u["cause"] for u in doc["unknowns"]] == [masked] * len(unknowns)
        assert doc["findings"][6]["message"] == f"token={REDACTED}"
        assert [f["message"] for n, f in enumerate(doc["findings"]) if n != 6] == [
            f.message for n, f in enumerate(findings) if n != 6
        ]
    finally:
        secrets.install(Redactor())


def test_a_document_is_its_shared_part_and_its_own_fields() -> None:
    finding = _finding([("image", "a")], (Evidence("fact"),), "a")
    unknown = Unknown("r", Resource("image", "a"), "why", (Evidence("fact"),), cause="c")
    for doc, shared, own in (
        (view.finding_doc(finding), view.finding_shared(finding), view.FINDING_OWN),
        (view.unknown_doc(unknown), view.unknown_shared(unknown), view.UNKNOWN_OWN),
    ):
        assert not set(shared) & {*own, "evidence"}
        assert set(doc) == {*shared, *own, "evidence"}
        assert {k: doc[k] for k in shared} == shared
    # NOTE: the writer judges an element's own strings with its batch: all of them
    assert {*json_format._FINDING_TEXTS, "action"} == set(view.FINDING_OWN)
    assert set(json_format._UNKNOWN_TEXTS) == set(view.UNKNOWN_OWN)


@pytest.mark.parametrize("literal", ["message", "params", "resource", "evidence", "fail"])
def test_a_secret_equal_to_a_field_name_is_masked_as_every_string_is(literal: str) -> None:
    redactor = Redactor()
    redactor.remember([literal])
    secrets.install(redactor)
    try:
        findings = [
            _finding([("image", f"id-{n}")], (Evidence("fact"),), f"i{n}") for n in range(3)
        ]
        unknowns = [Unknown("r", Resource("image", "a"), "why", (Evidence("fact"),), cause="c")]
        result = _result(findings, unknowns)
        doc = json.loads(json_format.render(result))
        expected = secrets.scrub_data([result_document(result)])[0]
        assert doc["findings"] == expected["findings"]
        assert doc["unknowns"] == expected["unknowns"]
        assert literal not in json.dumps(doc["findings"] + doc["unknowns"])
    finally:
        secrets.install(Redactor())


_RISKY = st.lists(
    st.sampled_from(["a", " ", "=", "token", "Key", "s3://", "u:p@h", "%", '"', "\\", "LIT-42"]),
    max_size=6,
).map("".join)


def _risky_finding(text: str, param: str, cause: str) -> Finding:
    return replace(
        _finding([("image", param), (param or "p", text)], (Evidence(cause),), text), cause=cause
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_RISKY, _RISKY, _RISKY), min_size=1, max_size=5), st.integers(1, 3))
def test_every_string_passes_the_policy_whichever_way_a_batch_is_written(
    texts: list[tuple[str, str, str]], batch: int
) -> None:
    redactor = Redactor()
    redactor.remember(["LIT-42"])
    secrets.install(redactor)
    try:
        findings = [_risky_finding(*t) for t in texts]
        unknowns = [Unknown("r", Resource("image", a), b, (), cause=c) for a, b, c in texts]
        result = _result(findings, unknowns)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(json_format, "BATCH", batch)
            doc = json.loads(json_format.render(result))
        expected = secrets.scrub_data([result_document(result)])[0]
        assert doc["findings"] == expected["findings"]
        assert doc["unknowns"] == expected["unknowns"]
    finally:
        secrets.install(Redactor())


@dataclasses.dataclass(frozen=True)
class _PartFinding(Finding):
    """A finding made from a shared part (as a cow-not-eligible shape makes them)."""

    part: object = None

    @property
    def shared_by(self) -> object | None:  # type: ignore[override]
        return self.part


def test_findings_of_a_shared_part_are_filled_into_that_part_s_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redactor = Redactor()
    redactor.remember(["s3cr3t-literal"])
    secrets.install(redactor)
    try:
        parts = [object(), object(), object()]
        cause = ["a plain cause", "see s3cr3t-literal", "other"]
        severity = [Severity.HIGH, Severity.LOW, Severity.HIGH]
        findings = [
            _PartFinding(
                "cow-not-eligible", Resource("image", f"i{n}@c{n % 3}"), f"message {n}",
                severity[n % 3], Confidence.MEDIUM, (Evidence("fact"),), f"fix {n}",
                ProposedAction("copy-image", (("image", f"i{n}"),)), cause=cause[n % 3],
                part=parts[n % 3],
            )
            for n in range(12)
        ]  # fmt: skip
        findings[9] = replace(findings[9], action=None)  # NOTE: other names: another form
        result = _result(findings, [])
        filled: list[int] = []
        real = json_template.filled

        def counted(forms: list[json_template.Form], *rest: list[bytes]) -> bytes:
            filled.append(len(forms))
            return real(forms, *rest)

        monkeypatch.setattr(json_template, "filled", counted)
        monkeypatch.setattr(json_format, "BATCH", 2)
        monkeypatch.setattr(json_format, "_slow", _no_fallback)
        text = json_format.render(result)
        assert len(filled) >= 2  # NOTE: a batch without the secret part is filled into forms
        assert "s3cr3t" not in text
        assert text == secrets.scrub(_dumps(result))
        doc = json.loads(text)
        assert [f["severity"] for f in doc["findings"]] == [f.severity.value for f in findings]
        assert doc["findings"][9]["action"] is None
    finally:
        secrets.install(Redactor())
