"""The HTML report without a browser: self-contained, escaped, its data complete and small.

The page's behaviour in a browser is in ``test_html_browser.py``.
"""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import pytest
from iface_estate import EVIL_NAME, large_estate

from cloudaudit import audit
from cloudaudit.catalog import load_country_names
from cloudaudit.formats import render
from cloudaudit.formats._html_parts import asset, esc
from cloudaudit.policies import load_policy
from cloudaudit.report import (
    Report,
    countries_of,
    operator_jurisdictions,
    sorted_findings,
)
from cloudaudit.testing import FakeProvider, make_resource

VENDOR = resources.files("cloudaudit.formats").joinpath("assets", "vendor")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: dict[str, str] = {}
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs).get("id") or f"js{len(self.scripts)}"
            self.scripts[self._script] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts[self._script] += data


def _parse(doc: str) -> _Collect:
    p = _Collect()
    p.feed(doc)
    p.close()
    return p


def _expand(data: dict[str, Any]) -> list[dict[str, Any]]:
    """What report.js does with the page data, in Python."""
    strings = data["strings"]

    def codes(i: int) -> list[str]:
        return strings[i].split(",") if strings[i] else []

    out = []
    for name, ident, kind, vi, tags in data["rows"]:
        provider, account, _service, rtype = data["kinds"][kind]
        v = data["verdicts"][vi]
        region = strings[v[5]] if v[5] >= 0 else ""
        zone = strings[v[6]] if v[6] >= 0 else ""
        rid = ident
        if isinstance(ident, int):
            rid = data["ids"][ident].replace("\x04", name).replace("\x01", account)
            rid = rid.replace("\x03", zone).replace("\x02", region)
        label = f"{rtype} `{name}`"
        out.append(
            {
                "name": name,
                "id": rid,
                "provider": provider,
                "account": account,
                "status": v[0],
                "reasons": [strings[t].replace("\x00", label) for t in v[2]],
                "countries": codes(v[10]),
                "operator_jurisdictions": codes(v[11]),
                "tags": dict(data["tags"][t] for t in tags),
            }
        )
    return out


def test_html_is_self_contained_and_escaped(report: Report) -> None:
    doc = render(report, "html")
    p = _parse(doc)
    # the data, the geometry, the small-country points, three vendored libraries, the page script
    assert list(p.scripts)[:3] == ["ca-data", "ca-world", "ca-points"]
    assert len(p.scripts) == 7
    assert doc.lower().count("</script") == 7  # nothing in the data closes a script early
    for tag, attrs in p.tags:
        assert "src" not in attrs and "href" not in attrs, (tag, attrs)
        for k, v in attrs.items():
            assert not (v and "//" in v and k != "xmlns"), (tag, k, v)
    assert "@import" not in doc
    assert not re.search(r"url\(\s*['\"]?(https?:|//)", doc)
    assert not re.search(r"\bfetch\(|XMLHttpRequest|import\(", asset("report.js"))
    assert EVIL_NAME not in doc
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in p.scripts["ca-data"]


def test_html_banner_puts_the_coverage_gaps_first(report: Report) -> None:
    doc = render(report, "html")
    assert report.coverage.gaps
    banner = doc.index('id="ca-gaps"')
    assert banner < doc.index('id="ca-map"') < doc.index('id="ca-table"')
    for gap in report.coverage.gaps:
        assert esc(gap.code) in doc[banner : doc.index('id="ca-map"')]


def test_page_data_carries_every_finding_once(report: Report) -> None:
    doc = render(report, "html")
    data = json.loads(_parse(doc).scripts["ca-data"])
    rows = _expand(data)
    findings = sorted_findings(report)
    assert len(rows) == len(findings)
    for row, f in zip(rows, findings, strict=True):
        r = f.resource
        assert (row["name"], row["id"], row["provider"], row["account"]) == (
            r.name,
            r.id,
            r.provider.value,
            r.account,
        )
        assert row["status"] == f.status.value and row["reasons"] == list(f.reasons)
        assert row["countries"] == list(countries_of(f))
        assert row["operator_jurisdictions"] == list(operator_jurisdictions(f))
        assert row["tags"] == dict(r.tags)
    assert data["meta"]["summary"] == report.summary.model_dump()
    assert [g["scope"] for g in data["gaps"]] == [g.scope for g in report.coverage.gaps]


@pytest.mark.parametrize(
    "name",
    [
        "</script><script>alert(3)</script>",
        "x<!--y",
        "\u202egnp.exe",  # right-to-left override: shows as "exe.png"
        "a\u2028b\x00c\x1bd",
        "acme-\u200bzero-width",
    ],
)
def test_hostile_names_survive_as_data(name: str) -> None:
    res = make_resource("aws", "ap-east-1", name=name, id=f"arn:aws:s3:::{name}")
    rep = audit([FakeProvider([res])], load_policy("us-foreign-adversaries"))
    doc = render(rep, "html")
    assert doc.lower().count("</script") == 7 and "<!--" not in doc
    assert not re.search("[\u202e\u2028\u200b\x00\x1b]", doc)  # escaped inside the JSON
    data = json.loads(_parse(doc).scripts["ca-data"])
    assert _expand(data)[0]["name"] == name and _expand(data)[0]["id"] == res.id


def test_esc_shows_invisible_and_control_characters() -> None:
    out = esc("\u202egnp.exe <b>")
    assert "U+202E" in out and "\u202e" not in out and "&lt;b&gt;" in out
    assert "U+001B" in esc("a\x1bb")


@pytest.mark.slow
def test_twenty_thousand_resources_fit_in_two_megabytes() -> None:
    rep = audit([FakeProvider(large_estate(20_000))], load_policy("us-foreign-adversaries"))
    doc = render(rep, "html")
    size = len(doc.encode())
    assert size <= 2_000_000, f"{size:,} bytes"
    p = _parse(doc)
    assert not [t for t, _ in p.tags if t == "tr"]  # the page renders rows from the data
    data = json.loads(p.scripts["ca-data"])
    assert len(data["rows"]) == 20_000
    assert len(data["verdicts"]) < 5_000  # stored once per distinct verdict


def test_vendored_map_assets_match_their_manifest() -> None:
    manifest = json.loads(VENDOR.joinpath("MANIFEST.json").read_text("utf-8"))
    for name, digest in manifest["files"].items():
        data = VENDOR.joinpath(name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
    for package in manifest["packages"]:
        assert VENDOR.joinpath(f"LICENSE.{package}").read_text("utf-8").strip()
    embedded = sum(
        len(VENDOR.joinpath(f).read_bytes())
        for pkg in manifest["packages"].values()
        for f in pkg["files"]
    )
    assert embedded < 200_000  # geometry and libraries stay small


def test_map_geometry_joins_the_catalog_country_codes() -> None:
    numeric = load_country_names().numeric
    to_alpha = {v: k for k, v in numeric.items()}
    assert len(to_alpha) == len(numeric)  # one alpha-2 per numeric code
    world = json.loads(VENDOR.joinpath("countries-110m.json").read_text("utf-8"))
    ids = [g.get("id") for g in world["objects"]["countries"]["geometries"]]
    drawn = {to_alpha[i] for i in ids if i}
    assert all(i in to_alpha for i in ids if i)
    points = json.loads(VENDOR.joinpath("small-countries.json").read_text("utf-8"))
    dots = {to_alpha[i] for i in points}
    assert {"US", "CN", "DE", "IN", "BR"} <= drawn and {"HK", "SG", "MT", "BH"} <= dots
    assert not drawn & dots


def test_a_report_that_audited_nothing_says_so() -> None:
    empty = audit([], load_policy("eu-gdpr"))
    for out in (render(empty, "html"), empty._repr_html_()):
        assert "Nothing was audited" in out and "Coverage complete" not in out
