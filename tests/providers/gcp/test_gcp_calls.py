"""Every GCP coverage gap names the API method that failed (its discovery method id)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import resources

import pytest
from gcp_fake import FakeGcp

from cloudaudit import audit
from cloudaudit.providers.gcp import GcpProvider
from cloudaudit.providers.gcp._methods import method_id

Make = Callable[..., GcpProvider]


def _listed() -> list[tuple[str, str, str]]:
    text = resources.files("cloudaudit.providers.gcp").joinpath("permissions.json").read_text()
    return [(m["method"], *str(m["http"]).split(" ", 1)) for m in json.loads(text)["methods"]]


@pytest.mark.parametrize(("method", "verb", "path"), _listed(), ids=lambda v: str(v))
def test_a_request_is_named_by_its_method(method: str, verb: str, path: str) -> None:
    filled = re.sub(r"\{[^}]*=\*/\*\}", "projects/p-1", path)
    filled = re.sub(r"\{[^}]*\}", "x-1", filled)
    assert method_id(verb, f"https://api.example{filled}?key=SECRET&alt=json") == method


def test_an_unlisted_request_is_named_by_its_path_without_the_query() -> None:
    assert method_id("get", "https://api.example/v9/things?key=SECRET") == "GET /v9/things"


@pytest.mark.http
def test_fallback_and_guardrail_gaps_name_their_calls(fake: FakeGcp, provider: Make) -> None:
    fake.asset_disabled.add("organizations/123")
    fake.denied_projects.add("apac-data")
    fake.denied_parents.add("folders/43")
    report = audit(provider(fake, guardrails=True), "us-foreign-adversaries")
    messages = {(g.account or g.target, g.service): g.message for g in report.coverage.gaps}
    assert messages[("folders/43", "resourcemanager")].startswith(
        "cloudresourcemanager.folders.list: HTTP 403: "
    )
    apac = {service: m for (account, service), m in messages.items() if account == "apac-data"}
    # (the fake's refusals name the permission, which for a plain list is the method's id)
    assert apac["compute.instances"].startswith("compute.instances.aggregatedList: HTTP 403: ")
    assert apac["compute.disks"].startswith("compute.disks.aggregatedList: HTTP 403: ")
    assert apac["guardrails"].startswith(
        "orgpolicy.projects.policies.getEffectivePolicy: HTTP 403: "
    )
