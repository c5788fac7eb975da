"""Report's Jupyter methods and the example notebook, executed with nbclient."""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from iface_estate import EVIL_NAME

from cloudaudit.notebook import NotebookExtraMissing
from cloudaudit.report import Report

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "notebooks" / "audit.ipynb"


def test_repr_html_shows_summary_and_escaped_top_findings(report: Report) -> None:
    out = report._repr_html_()
    HTMLParser().feed(out)  # well-formed enough to parse
    assert "<style>" in out and ".ca .ca-card" in out  # styled like the report page
    assert f"<b>{report.summary.violation}</b><span>violation</span>" in out
    assert "<script" not in out  # static: it shows in an untrusted notebook too
    assert "&lt;script&gt;" in out  # the hostile name, escaped
    assert out.count("<details>") == 10  # the top ten non-compliant findings
    assert out.count('class="evt"') == 10  # each opens on its evidence
    assert "more; see report.to_dataframe()" in out
    assert out.index('id="ca-gaps"') < out.index("<details>")  # gaps first, at the top


def test_finding_repr_html_shows_every_piece_of_evidence(report: Report) -> None:
    va = next(f for f in report.findings if f.resource.name == "acme-va-oss")
    out = va._repr_html_()
    HTMLParser().feed(out)
    assert "<style>" in out
    for axis in ("location", "operator"):
        assert f"<td>{axis}</td>" in out
    assert "Alibaba Cloud" in out and "under China (CN)" in out
    assert "15 CFR 791.4 (Foreign adversaries (Commerce ICTS rule))" in out  # the citation
    exempt = next(f for f in report.findings if f.status.value == "exempt")
    assert "<dt>exemption</dt>" in exempt._repr_html_()


def test_views_by_jurisdiction_and_operator(report: Report) -> None:
    cn = report.filter(jurisdiction="CN")
    names = sorted(f.resource.name for f in cn.findings)
    # the Alibaba buckets in Frankfurt and Virginia, and the AWS China instance
    assert names == ["acme-fra-oss", "acme-va-oss", "i-0c0ffee0c0ffee001"]
    assert sorted(f.resource.name for f in report.by_country("CN").findings) == [names[2]]
    assert report.by_jurisdiction("cn").findings == cn.findings
    ali = report.by_operator("alibaba")
    assert sorted(f.resource.name for f in ali.findings) == names[:2]
    assert report.filter(jurisdiction="CN", country="DE").summary.total == 1
    assert report.filter(status="violation").summary.total == report.summary.violation
    listed = report.filter(legal_list="us-icts-foreign-adversaries")
    assert {f.status.value for f in listed.findings} <= {"violation", "unknown", "exempt"}
    assert "acme-asia-cdn-origin" in {f.resource.name for f in listed.findings}
    assert cn.coverage.gaps == report.coverage.gaps  # a region not read may be run from CN
    assert report.filter(provider="gcp").coverage.gaps == ()


def test_map_view_is_an_isolated_self_contained_frame(report: Report, tmp_path: Path) -> None:
    view = report.map()
    out = view._repr_html_()
    assert out.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in out
    assert "<script" not in out  # the page is inside the attribute, escaped
    assert "&lt;script" in out and "d3-geo" in out
    saved = view.save(tmp_path / "map.html")
    assert saved.read_text("utf-8") == view.html and 'id="ca-map"' in view.html


def test_filters_return_smaller_reports(report: Report) -> None:
    aws = report.by_provider("aws")
    assert aws.findings and all(f.resource.provider.value == "aws" for f in aws.findings)
    assert aws.summary.total == len(aws.findings)
    assert aws.coverage.gaps == report.coverage.gaps  # the demo's gaps are all AWS
    assert report.by_provider("gcp").coverage.gaps == ()
    hk = report.by_country("hk")
    names = {f.resource.name for f in hk.findings}
    assert {"acme-hk-orders", "acme-us-backups", "acme-asia-cdn-origin", EVIL_NAME} <= names
    assert "acme-eu-lake" not in names
    acct = report.by_account("acme-analytics")
    assert {f.resource.provider.value for f in acct.findings} == {"gcp"}
    assert acct.coverage.gaps == ()
    # the one Azure violation: a Key Vault in Singapore replicated to its pair in Hong Kong
    (vault,) = report.by_provider("azure").violations
    assert vault.resource.name == "acme-sg-keys"


def test_to_dataframe(report: Report) -> None:
    pytest.importorskip("pandas")
    df = report.to_dataframe()
    assert len(df) == len(report.findings)
    assert list(df["status"].cat.categories) == ["violation", "unknown", "exempt", "compliant"]
    assert (df["status"] == "violation").sum() == report.summary.violation
    assert set(df.loc[df["name"] == "acme-hk-orders", "country"]) == {"HK"}
    va = df.loc[df["name"] == "acme-va-oss"].iloc[0]
    assert va["operator_jurisdiction"] == "CN" and va["operator"].startswith("Alibaba Cloud")
    assert va["city"] == "Virginia" and va["operator_jurisdictions"] == ["CN"]
    us = df.loc[df["name"] == "acme-us-backups"].iloc[0]
    assert us["copies"] == ["ap-east-1"] and us["countries"] == ["HK", "US"]
    assert us["copy_mechanisms"] == ["aws.s3.replication"]
    partner = df.loc[df["name"] == "partner-feed"].iloc[0]
    assert partner["tags"] == {"residency-exception": "LEGACY-7"}
    assert isinstance(partner["reasons"], list)


@pytest.mark.parametrize(
    ("by", "expected"),
    [("country", {"HK", "US", "DE", "unknown"}), ("jurisdiction", {"CN", "US"})],
)
def test_plot(report: Report, by: str, expected: set[str]) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = report.plot(by=by)
    labels = {t.get_text() for t in ax.get_yticklabels()}
    assert expected <= labels
    heights = sum(p.get_width() for p in ax.patches)
    assert heights == len(report.findings)
    ticks = [t for t in ax.get_xticks() if t >= 0]
    assert all(float(t).is_integer() for t in ticks)  # no "0.5 resources"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["violation", "unknown", "exempt", "compliant"]
    import matplotlib.pyplot as plt

    plt.close("all")


def test_plot_by_jurisdiction_counts_the_operator_not_the_place(report: Report) -> None:
    from cloudaudit.notebook import group_key

    va = next(f for f in report.findings if f.resource.name == "acme-va-oss")
    assert group_key(va, "country") == "US" and group_key(va, "jurisdiction") == "CN"
    assert group_key(va, "operator").startswith("Alibaba Cloud")
    with pytest.raises(ValueError, match="country, jurisdiction, operator"):
        group_key(va, "continent")


def test_missing_pandas_names_the_extra(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(NotebookExtraMissing, match=r"cloudaudit\[notebook\]"):
        report.to_dataframe()


def test_example_notebook_runs() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3")
    client.execute(cwd=str(NOTEBOOK.parent))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("cloudaudit-report" in h for h in html)
    assert any("<iframe srcdoc=" in h for h in html)  # report.map()
    assert any("image/png" in o.get("data", {}) for o in outputs)
    text = "".join(o.get("text", "") for o in outputs)
    assert "ap-east-1 HK" in text and "AccessDenied" in text
