"""Benchmark: the HTML report of a 20,000-resource estate, its size and how soon it answers.

Builds a varied estate (``large_estate`` of the interface tests: four clouds, every catalogued
region, 60 accounts, copies, tags with many distinct owners and cost centres, unmapped regions,
multi-regions), audits it, renders
the HTML report and measures:

* the size of the page (target ≤ 2 MB), against the baseline design of one pre-rendered table
  row per finding (what the report was before the map and the client-side table);
* in headless Chromium (Debian's chromium and chromium-driver, from a file:// URL): the time
  from navigation to the page being ready (table and map drawn), to a status-filter click
  answering, and to a search answering; the baseline page's time to load; and the floor, an
  empty page's time to load.

Usage:
    python benchmarks/html_report.py --resources 20000
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
import time
from pathlib import Path

from cloudaudit import audit
from cloudaudit.formats import render
from cloudaudit.policies import load_policy
from cloudaudit.report import Report, sorted_findings
from cloudaudit.testing import FakeProvider

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "interfaces"))

from browser import chromium
from iface_estate import large_estate


def baseline_page(report: Report) -> str:
    """The previous design: every finding pre-rendered as a table row (escaped)."""
    rows = "".join(
        f"<tr><td>{f.status.value}</td><td>{html.escape(f.resource.provider.value)}</td>"
        f"<td>{html.escape(f.resource.account)}</td><td>{html.escape(f.resource.type)} "
        f"<b>{html.escape(f.resource.name)}</b><br><code>{html.escape(f.resource.id)}</code>"
        f"<br>tags: {html.escape(', '.join(f'{k}={v}' for k, v in f.resource.tags.items()))}"
        f"</td><td>{html.escape(str(f.resource.location))}</td>"
        f"<td><ul>{''.join(f'<li>{html.escape(r)}</li>' for r in f.reasons)}</ul></td></tr>"
        for f in sorted_findings(report)
    )
    return f"<!DOCTYPE html><html><body><table><tbody>{rows}</tbody></table></body></html>"


def _load_ms(driver: object, path: Path) -> float:
    driver.get(path.as_uri())  # type: ignore[attr-defined]
    return float(
        driver.execute_script(  # type: ignore[attr-defined]
            "var t = performance.getEntriesByType('navigation')[0];"
            "return t.loadEventEnd - t.startTime"
        )
    )


def _answer_ms(driver: object, action: str) -> float:
    script = (
        "var t0 = performance.now();" + action + ";"
        "document.getElementById('ca-count').offsetHeight;"  # force layout
        "return performance.now() - t0"
    )
    return float(driver.execute_script(script))  # type: ignore[attr-defined]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--resources", type=int, default=20000)
    args = ap.parse_args()
    report = audit(
        [FakeProvider(large_estate(args.resources))], load_policy("us-foreign-adversaries")
    )
    t0 = time.perf_counter()
    page = render(report, "html")
    render_s = time.perf_counter() - t0
    base = baseline_page(report)
    size, base_size = len(page.encode()), len(base.encode())
    print(f"resources: {len(report.findings):,}")
    print(f"render_html: {render_s:.2f} s")
    print(f"page: {size / 1e6:.2f} MB; baseline (pre-rendered rows): {base_size / 1e6:.2f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        files = {"page": Path(tmp) / "p.html", "base": Path(tmp) / "b.html"}
        files["page"].write_text(page, "utf-8")
        files["base"].write_text(base, "utf-8")
        (Path(tmp) / "e.html").write_text("<!DOCTYPE html><html><body></body></html>")
        driver = chromium()
        try:
            floor = min(_load_ms(driver, Path(tmp) / "e.html") for _ in range(3))
            base_ms = min(_load_ms(driver, files["base"]) for _ in range(3))
            ready, click, search = [], [], []
            for _ in range(3):
                ready.append(_load_ms(driver, files["page"]))
                chip = "document.querySelector('.ca-chip[data-status=\"compliant\"]').click()"
                click.append(_answer_ms(driver, chip))
                find = (
                    "var q = document.getElementById('ca-search'); q.value = 'backup-01234';"
                    "q.dispatchEvent(new Event('change'))"
                )
                search.append(_answer_ms(driver, find))
        finally:
            driver.quit()
    print(f"empty page load (floor): {floor:.0f} ms")
    print(f"baseline page load: {base_ms:.0f} ms")
    print(f"page load to ready (table and map drawn): {min(ready):.0f} ms (best of 3)")
    print(f"status filter click answered: {min(click):.0f} ms")
    print(f"search answered: {min(search):.0f} ms")


if __name__ == "__main__":
    main()
