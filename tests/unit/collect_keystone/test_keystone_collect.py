"""The Keystone collector: projects listed, refusals and truncation as gaps."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from imageyard.cli.summary import collect_summary
from imageyard.collect.base import NullProgress
from imageyard.collect.keystone import KeystoneCollector, project_from_api
from imageyard.collect.openstack.http import Failure, HttpError, Params
from imageyard.collect.sources import CollectRequest, selected
from imageyard.model.gap import SourceStatus
from imageyard.model.identity import Project
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import dump_inventory, load_inventory


class Answers:
    """A ``JsonHttp`` answering each path from a dict (an exception is raised)."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.paths: list[str] = []

    def get_json(self, path: str, params: Params | None = None, *, peek: Any = None) -> Any:
        self.paths.append(path)
        answer = self.answers[path]
        if isinstance(answer, Exception):
            raise answer
        return answer


def _project(pid: str, **extra: Any) -> dict[str, Any]:
    return {"id": pid, "name": f"name-{pid}", "domain_id": "default", "enabled": True, **extra}


def _collect(answers: dict[str, Any]) -> Inventory:
    return KeystoneCollector(Answers(answers)).collect(Inventory(), NullProgress())


def test_every_project_is_recorded_and_the_source_is_complete() -> None:
    inv = _collect({"/projects": {"projects": [_project("a"), _project("b", enabled=False)]}})
    assert [p.id for p in inv.projects] == ["a", "b"]
    assert inv.projects[1] == Project(id="b", name="name-b", domain_id="default", enabled=False)
    assert inv.is_complete("keystone")
    assert inv.source_status("keystone") == SourceStatus(
        "keystone", complete=True, items=2, detail="2 projects"
    )


def test_next_links_are_followed() -> None:
    nxt = "http://keystone/v3/projects?marker=a"
    inv = _collect(
        {
            "/projects": {"projects": [_project("a")], "links": {"next": nxt}},
            nxt: {"projects": [_project("b")], "links": {"next": None}},
        }
    )
    assert [p.id for p in inv.projects] == ["a", "b"]
    assert inv.is_complete("keystone")


def test_a_refusal_is_a_gap_and_no_project_is_claimed() -> None:
    refused = HttpError(
        "You are not authorized", kind=Failure.STATUS, status=403, reason="Forbidden"
    )
    inv = _collect({"/projects": refused})
    assert inv.projects == ()
    assert not inv.is_complete("keystone")
    (gap,) = inv.gaps_for("keystone")
    assert gap.scope == "projects"
    assert gap.error.startswith("GET /v3/projects: HTTP 403 Forbidden: You are not authorized")
    assert "needs an admin" in gap.error


def test_a_truncated_list_is_a_gap() -> None:
    inv = _collect({"/projects": {"projects": [_project("a")], "truncated": True}})
    assert [p.id for p in inv.projects] == ["a"]
    (gap,) = inv.gaps_for("keystone")
    assert "truncated" in gap.error
    assert inv.deleted_owners() is None


def test_an_unreadable_answer_is_a_gap() -> None:
    inv = _collect({"/projects": {"no_projects": []}})
    (gap,) = inv.gaps_for("keystone")
    assert "unreadable answer" in gap.error


def test_project_from_api_defaults() -> None:
    assert project_from_api({"id": 7}) == Project(id="7", name="", domain_id="", enabled=True)


@pytest.mark.parametrize("complete", [True, False])
def test_deleted_owners_only_when_the_project_list_is_complete(complete: bool) -> None:
    images = (
        Image(id="i1", owner="live"),
        Image(id="i2", owner="gone"),
        Image(id="i3", owner=None),
    )
    inv = replace(
        Inventory(images=images, projects=(Project("live"),)),
        sources=(SourceStatus("keystone", complete=complete),),
    )
    assert inv.deleted_owners() == (frozenset({"gone"}) if complete else None)
    line = "projects: 1; images of deleted projects: 1 from 1 owners (gone)"
    assert (line in collect_summary(inv, "inv.json")) is complete


def test_projects_survive_a_snapshot_round_trip() -> None:
    inv = _collect({"/projects": {"projects": [_project("a"), _project("b", enabled=False)]}})
    again = load_inventory(dump_inventory(inv), origin="inv.json")
    assert again.projects == inv.projects
    assert again.deleted_owners() == frozenset()


def test_keystone_runs_only_with_cloud_credentials() -> None:
    endpoint_only = CollectRequest(glance_endpoint="http://127.0.0.1:9292")
    assert selected(endpoint_only, {})["keystone"] == "no --os-cloud or OS_* credentials"
    assert selected(endpoint_only, {"OS_AUTH_URL": "http://ks/v3"})["keystone"] is None
    assert selected(CollectRequest(os_cloud="admin"), {})["keystone"] is None
