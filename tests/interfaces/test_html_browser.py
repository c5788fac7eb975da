"""The HTML report in a real browser: headless Chromium opens the demo report from a file.

The map shades the expected countries by status, draws the US bucket's copy to Hong Kong,
marks the Alibaba buckets in Germany and Virginia as run from China, hatches the candidate
countries of the GCS ``ASIA`` bucket; filters and search change the table; the page logs no
console error and requests nothing but itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium
from iface_estate import EVIL_NAME

from cloudaudit.formats import render
from cloudaudit.report import Report

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render(report, "html"), "utf-8")
    driver = chromium()
    try:
        driver.get(path.as_uri())
        ready = driver.execute_script("return document.documentElement.dataset.caReady")
        assert ready == "1"
        driver.page_url = path.as_uri()
        yield driver
    finally:
        driver.quit()


def _js(page: Any, script: str) -> Any:
    return page.execute_script(script)


def _matching(page: Any) -> int:
    return int(_js(page, "return document.getElementById('ca-count').dataset.matching"))


def _status_of(page: Any, cc: str) -> dict[str, str | None]:
    return _js(  # type: ignore[no-any-return]
        page,
        f"var n = document.querySelector('#ca-map [data-cc=\"{cc}\"]');"
        "return n && {tag: n.tagName, status: n.dataset.status || null,"
        " maybe: n.dataset.maybe || null, fill: getComputedStyle(n).fill};",
    )


def test_map_shades_countries_by_worst_status(page: Any) -> None:
    us, hk, br, india, sg = (_status_of(page, c) for c in ("US", "HK", "BR", "IN", "SG"))
    assert us["status"] == "violation" and us["fill"] == "rgb(198, 40, 40)"
    assert hk["tag"] == "circle" and hk["status"] == "violation"  # too small at 1:110m: a dot
    assert br["status"] == "compliant" and br["fill"] == "rgb(46, 125, 50)"
    # candidates of the GCS ASIA bucket: hatched "may be here", not a solid status
    assert india["status"] is None and india["maybe"] == "unknown"
    assert "url(" in str(india["fill"])
    assert sg["tag"] == "circle" and sg["maybe"] == "unknown"
    assert _status_of(page, "DE")["status"] == "violation"  # the Alibaba bucket in Frankfurt
    untouched = _js(page, "return document.querySelectorAll('#ca-map path.land[data-status]')")
    assert len(untouched) < 20  # most of the world holds none of this data


def test_map_draws_copy_flows_and_the_operator_axis(page: Any) -> None:
    flows = _js(
        page,
        "return Array.from(document.querySelectorAll('#ca-map path.flow'))"
        ".map(n => [n.dataset.from, n.dataset.to, n.dataset.status])",
    )
    assert ["US", "HK", "violation"] in flows  # acme-us-backups replicates to Hong Kong
    assert ["JP", "HK", "violation"] in flows
    assert ["US", "IE", "compliant"] in flows
    rings = _js(
        page,
        "return Array.from(document.querySelectorAll('#ca-map circle.opring'))"
        ".map(n => n.dataset.operator + '>' + n.dataset.cc).sort()",
    )
    # Alibaba Cloud in Frankfurt and Virginia is run from China; AWS in Virginia is not marked
    assert rings == ["CN>DE", "CN>US"]


def test_status_filter_and_selects_change_the_rows(page: Any, report: Report) -> None:
    total = len(report.findings)
    assert _matching(page) == total
    page.find_element("css selector", '.ca-chip[data-status="violation"]').click()
    assert _matching(page) == total - report.summary.violation
    page.find_element("css selector", '.ca-chip[data-status="violation"]').click()
    assert _matching(page) == total
    _js(
        page,
        "var s = document.getElementById('ca-f-jurisdiction'); s.value = 'CN';"
        "s.dispatchEvent(new Event('change'))",
    )
    names = _js(
        page,
        "return Array.from(document.querySelectorAll('#ca-table tr.ca-row b'))"
        ".map(n => n.textContent).sort()",
    )
    assert names == ["acme-fra-oss", "acme-va-oss", "i-0c0ffee0c0ffee001"]
    page.find_element("css selector", "button.ca-reset").click()
    assert _matching(page) == total


def test_search_finds_a_resource_and_the_row_opens_its_evidence(page: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    box = page.find_element("id", "ca-search")
    box.send_keys("acme-va-oss" + Keys.ENTER)  # Enter answers at once (typing, after a pause)
    assert _matching(page) == 1
    page.find_element("css selector", "#ca-table tr.ca-row").click()
    detail = page.find_element("css selector", "#ca-table td.ca-detail").text
    assert "Alibaba Cloud" in detail and "under China (CN)" in detail
    assert "15 CFR 791.4" in detail and "operator" in detail
    page.find_element("css selector", "button.ca-reset").click()


def test_a_copys_evidence_names_the_mechanism_that_put_the_data_there(page: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    box = page.find_element("id", "ca-search")
    box.send_keys("acme-us-backups" + Keys.ENTER)
    assert _matching(page) == 1
    page.find_element("css selector", "#ca-table tr.ca-row").click()
    detail = page.find_element("css selector", "#ca-table td.ca-detail").text
    assert "ap-east-1 (S3 replication (CRR))" in detail
    page.find_element("css selector", "button.ca-reset").click()


def test_hostile_names_are_text(page: Any) -> None:
    cells = _js(
        page,
        "return Array.from(document.querySelectorAll('#ca-table tr.ca-row b'))"
        ".map(n => n.textContent)",
    )
    assert EVIL_NAME in cells  # shown as text; a script would have raised an alert


def test_no_console_error_and_no_request_but_the_page(page: Any) -> None:
    errors = [e for e in page.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not errors
    urls = []
    for entry in page.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    assert urls, "the performance log recorded no request at all: the check would be blind"
    assert set(urls) == {page.page_url}


def test_country_click_lists_its_findings(page: Any) -> None:
    page.find_element("css selector", '#ca-map circle.dot[data-cc="HK"]').click()
    panel = page.find_element("id", "ca-country").text
    assert "Hong Kong (HK)" in panel and "acme-hk-orders" in panel and "acme-us-backups" in panel
    assert "copy here" in panel and "may be here" in panel
    assert _js(page, "return document.getElementById('ca-f-country').value") == "HK"
    page.find_element("css selector", '#ca-map circle.dot[data-cc="HK"]').click()  # toggles off
    assert _js(page, "return document.getElementById('ca-f-country').value") == ""


def test_hovering_a_country_sums_up_its_findings(page: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    us = page.find_element("css selector", '#ca-map path.land[data-cc="US"]')
    ActionChains(page).move_to_element(us).perform()
    tip = page.find_element("id", "ca-tip")
    assert tip.is_displayed()
    text = tip.text
    assert "United States (US)" in text and "violation" in text
    assert "operators under:" in text and "CN" in text  # Alibaba Cloud in Virginia


def test_the_notebook_map_page_draws_the_same_map(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "map.html"
    path.write_text(report.map().html, "utf-8")
    driver = chromium()
    try:
        driver.get(path.as_uri())
        hk = driver.execute_script(
            "return document.querySelector('#ca-map [data-cc=\"HK\"]').dataset.status"
        )
        assert hk == "violation"
        assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()


def test_many_findings_hide_the_compliant_rows_until_asked(tmp_path: Path) -> None:
    from iface_estate import large_estate

    from cloudaudit import audit
    from cloudaudit.policies import load_policy
    from cloudaudit.testing import FakeProvider

    big = audit([FakeProvider(large_estate(2000))], load_policy("us-foreign-adversaries"))
    compliant = big.summary.compliant
    assert 0 < compliant < len(big.findings) - 400
    path = tmp_path / "big.html"
    path.write_text(render(big, "html"), "utf-8")
    driver = chromium()
    try:
        driver.get(path.as_uri())
        chip = driver.find_element("css selector", '.ca-chip[data-status="compliant"]')
        assert chip.get_attribute("aria-pressed") == "false"
        assert _matching(driver) == len(big.findings) - compliant
        shown = driver.execute_script("return document.querySelectorAll('#ca-table tr.ca-row')")
        assert len(shown) == 200  # one page of rows; "show more" adds the next
        driver.find_element("id", "ca-more").click()
        assert len(driver.find_elements("css selector", "#ca-table tr.ca-row")) == 400
        # the map still shows where the folded compliant data is (countries holding nothing
        # else are green), until the compliant chip is used: then it follows it
        green = "return document.querySelectorAll('#ca-map [data-status=\"compliant\"]').length"
        assert driver.execute_script(green) > 0
        driver.find_element("css selector", "#ca-count button.ca-chip").click()  # "show the N"
        assert _matching(driver) == len(big.findings)
        assert driver.execute_script(green) > 0
        chip.click()  # compliant off, chosen this time: the map follows
        assert _matching(driver) == len(big.findings) - compliant
        assert driver.execute_script(green) == 0
    finally:
        driver.quit()
