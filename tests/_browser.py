"""Open an HTML file in headless Chromium with the network cut off, and report what happened.

Used by the web-map tests and by ``benchmarks/report_bench.py``. Driven by Selenium with the
Debian ``chromium`` and ``chromium-driver`` packages (the driver matches the browser's
version, and Selenium Manager is never asked to download anything). The network is cut by
DevTools: ``Network.emulateNetworkConditions(offline=True)`` plus ``Network.setBlockedURLs`` for
http(s)/ws(s), so any attempt to reach a CDN or a tile server shows up as a failed request.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
DRIVER_NAMES = ("chromedriver", "chromium-driver")

_DOM_PROBE = """
const count = (sel) => document.querySelectorAll(sel).length;
const labels = Array.from(document.querySelectorAll('.leaflet-control-layers-selector + span'))
    .map((s) => s.textContent.trim()).filter((s) => s.length);
const nav = performance.getEntriesByType('navigation')[0];
return {
  labels: labels,
  load_ms: nav ? nav.loadEventEnd - nav.startTime : null,
  counts: {
    communes: count('path.phusong-communes'),
    road_gaps: count('path.phusong-road-gaps'),
    dark_spots: count('path.phusong-dark-spots'),
    hamlets: count('path.phusong-hamlets'),
    roads: count('path.phusong-roads'),
    rivers: count('path.phusong-rivers'),
    rasters: count('img.phusong-raster'),
    layer_control: count('.leaflet-control-layers'),
    legend: count('.phusong-legend'),
  },
};
"""


def find_browser() -> tuple[str, str] | None:
    """Paths of Chromium and its driver, or ``None`` when either is missing."""
    browser = os.environ.get("PHUSONG_CHROMIUM") or next(
        (p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)
    driver = os.environ.get("PHUSONG_CHROMEDRIVER") or next(
        (p for p in map(shutil.which, DRIVER_NAMES) if p), None)
    if not browser or not driver:
        return None
    try:
        import selenium  # noqa: F401
    except ImportError:
        return None
    return browser, driver


def missing_reason() -> str:
    """Why :func:`find_browser` found nothing (for ``pytest.skip``)."""
    parts = []
    if not any(map(shutil.which, CHROMIUM_NAMES)):
        parts.append("no chromium on PATH (apt-get install chromium)")
    if not any(map(shutil.which, DRIVER_NAMES)):
        parts.append("no chromedriver on PATH (apt-get install chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        parts.append("selenium not installed (pip install -e '.[test]')")
    return "; ".join(parts) or "unknown"


@dataclass
class PageReport:
    """What the browser saw."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    load_ms: float | None = None
    wall_ms: float = 0.0
    screenshot: Path | None = None

    @property
    def external_requests(self) -> list[str]:
        """Requests that are not the file itself or ``data:`` URIs."""
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:", "blob:"))]


def open_page(html: Path, screenshot: Path | None = None, size: tuple[int, int] = (1400, 900),
              settle_s: float = 1.0, timeout_s: float = 120.0) -> PageReport:
    """Load ``html`` offline in headless Chromium; collect requests, errors, DOM counts."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    found = find_browser()
    if found is None:
        raise RuntimeError(missing_reason())
    browser, driver_path = found
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--no-first-run", "--disable-extensions",
                f"--window-size={size[0]},{size[1]}", "--force-device-scale-factor=1",
                "--lang=vi-VN"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    report = PageReport()
    try:
        drv.set_page_load_timeout(timeout_s)
        drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False})
        drv.execute_cdp_cmd("Network.enable", {})
        drv.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        drv.execute_cdp_cmd("Network.setBlockedURLs",
                            {"urls": ["http://*", "https://*", "ws://*", "wss://*"]})
        t0 = time.perf_counter()
        drv.get(Path(html).resolve().as_uri())
        WebDriverWait(drv, timeout_s).until(
            lambda d: d.execute_script("return document.readyState") == "complete")
        report.wall_ms = (time.perf_counter() - t0) * 1000.0
        time.sleep(settle_s)  # chunked marker clustering and the first paint
        probe = drv.execute_script(_DOM_PROBE)
        report.labels = list(probe["labels"])
        report.counts = {k: int(v) for k, v in probe["counts"].items()}
        report.load_ms = probe["load_ms"]
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            drv.save_screenshot(str(screenshot))
            report.screenshot = screenshot
        for entry in drv.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent":
                report.requests.append(msg["params"]["request"]["url"][:200])
            elif msg.get("method") == "Network.loadingFailed":
                p = msg["params"]
                report.failed.append(f"{p.get('type')}: {p.get('errorText')} "
                                     f"{p.get('blockedReason') or ''}".strip())
        for entry in drv.get_log("browser"):
            if entry.get("level") == "SEVERE":
                report.console_errors.append(entry.get("message", "")[:500])
    finally:
        drv.quit()
    return report
