"""The main flows in a real browser (headless Chromium), with a screenshot of every page."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.conftest import MINI_SPEECH

from .browser import LiveServer, chrome
from .conftest import PASSWORD

SHOTS = Path(os.environ.get("PORTAL_SCREENSHOTS") or tempfile.mkdtemp(prefix="portal-shots-"))


@pytest.fixture
def live(app):
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def driver(tmp_path):
    d = chrome(tmp_path / "downloads")
    yield d
    d.quit()


class Page:
    """What a person does in the browser: open, type, click, look (and a screenshot each time)."""

    def __init__(self, driver, base: str):
        from selenium.webdriver.common.by import By

        self.d, self.base, self.By, self.n = driver, base, By, 0

    def shot(self, name: str) -> None:
        self.n += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.d.save_screenshot(str(SHOTS / f"{self.n:02d}_{name}.png"))

    def open(self, path: str, name: str | None = None) -> None:
        self.d.get(self.base + path)
        if name:
            self.shot(name)

    def find(self, css: str):
        return self.d.find_element(self.By.CSS_SELECTOR, css)

    def all(self, css: str):
        return self.d.find_elements(self.By.CSS_SELECTOR, css)

    def text(self) -> str:
        return self.find("body").text

    def login(self, name: str) -> None:
        self.open("/login")
        self.find("#name").send_keys(name)
        self.find("#password").send_keys(PASSWORD)
        self.find("button[type=submit]").click()

    def logout(self) -> None:
        self.find("header .who button").click()

    def accept_confirm(self) -> None:
        self.d.switch_to.alert.accept()


def test_office_uploads_corrects_and_confirms_a_meeting(live, driver, tmp_path):
    page = Page(driver, live.url)
    page.open("/meetings", "login_redirect")
    assert "/login" in driver.current_url
    page.login("office1")
    assert "会议" in page.text()
    speech = tmp_path / "2024-03-01_安委会.txt"
    speech.write_text(MINI_SPEECH, encoding="utf-8")
    page.open("/meetings/new", "new_meeting")
    page.find("#speech").send_keys(str(speech))
    page.find("#upload").click()
    assert "已提取 2 项任务" in page.text()
    page.shot("draft_preview")
    # correct the second task: its owner becomes 市住建局 as well, due 2024-06-30
    task = page.all("article.task")[1]
    task.find_element(page.By.TAG_NAME, "summary").click()
    owner = task.find_element(page.By.NAME, "owner")
    owner.clear()
    owner.send_keys("市公安局、住建局")
    due = task.find_element(page.By.NAME, "due")
    driver.execute_script("arguments[0].value = '2024-06-30'", due)
    page.shot("draft_correcting")
    task.find_element(page.By.CSS_SELECTOR, "button[type=submit]").click()
    assert "责任单位：市公安局 → 市公安局、住房和城乡建设局" in page.text()
    assert "截止日期：（无） → 2024-06-30" in page.text()
    page.shot("draft_corrected")
    page.find("#confirm").click()
    page.accept_confirm()
    assert "已入账：新增 2 项" in page.text()
    page.shot("meetings_after_confirm")
