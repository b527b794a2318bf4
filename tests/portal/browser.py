"""Headless Chromium (Debian's chromium + chromium-driver) driven by Selenium against a live
portal served on 127.0.0.1 at a free port, in a thread of the test process."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


class LiveServer:
    """The app on 127.0.0.1 at a port the OS picks, served by werkzeug in a daemon thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


def chrome(download_dir: Path):
    """A headless Chromium WebDriver; skips the test when chromium or its driver is absent."""
    if not (CHROMIUM and CHROMEDRIVER):
        message = "chromium and chromium-driver not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):  # .ci/run installs them: their absence there is a failure
            pytest.fail(message)
        pytest.skip(message)
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--lang=zh-CN", "--no-first-run"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(download_dir)})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP violations show up here
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)
    return driver
