"""Headless Chromium for the tests and the screenshot script (Debian's chromium and driver).

CI installs ``chromium``, ``chromium-driver`` and selenium (``.ci/run``): there a missing
browser fails the test; elsewhere the browser tests skip.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-extensions",
    # any request that did leave the page would fail to resolve instead of reaching a host
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def binaries() -> tuple[str, str] | None:
    """Paths of chromium and chromedriver, or None when either is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def chromium(width: int = 1280, height: int = 1000, scale: float = 1.0) -> Any:
    """Start headless Chromium with browser and performance (network) logs."""
    found = binaries()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        found = None
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium, chromium-driver and selenium (see .ci/run)")
        pytest.skip("chromium, chromium-driver or selenium is not installed (CI installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for arg in (*CHROMIUM_ARGS, f"--window-size={width},{height}"):
        options.add_argument(arg)
    if scale != 1.0:
        options.add_argument(f"--force-device-scale-factor={scale}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(found[1]), options=options)
