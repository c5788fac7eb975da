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
    assert f"<b>{report.summary.violation}</b>violation" in out
    assert "<script>" not in out
    assert "&lt;script&gt;" in out  # the hostile name, escaped
    assert out.count("<tr data-finding=") == 10  # the top ten non-compliant findings
    assert "more; see report.to_dataframe()" in out


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
    assert report.by_provider("azure").violations == ()


def test_to_dataframe(report: Report) -> None:
    pytest.importorskip("pandas")
    df = report.to_dataframe()
    assert len(df) == len(report.findings)
    assert list(df["status"].cat.categories) == ["violation", "unknown", "exempt", "compliant"]
    assert (df["status"] == "violation").sum() == report.summary.violation
    assert set(df.loc[df["name"] == "acme-hk-orders", "country"]) == {"HK"}


def test_plot(report: Report) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = report.plot()
    labels = {t.get_text() for t in ax.get_yticklabels()}
    assert {"HK", "US", "DE", "unknown"} <= labels
    heights = sum(p.get_width() for p in ax.patches)
    assert heights == len(report.findings)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["violation", "unknown", "exempt", "compliant"]
    import matplotlib.pyplot as plt

    plt.close("all")


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
    assert any("image/png" in o.get("data", {}) for o in outputs)
    text = "".join(o.get("text", "") for o in outputs)
    assert "ap-east-1 HK" in text and "AccessDenied" in text
