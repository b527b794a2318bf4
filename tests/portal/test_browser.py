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
    console = d.get_log("browser")
    d.quit()
    blocked = [e["message"] for e in console if "Content Security Policy" in e["message"]]
    assert not blocked, blocked  # the pages work under their own CSP


class Page:
    """What a person does in the browser: open, type, click, look (and a screenshot each time)."""

    def __init__(self, driver, base: str):
        from selenium.webdriver.common.by import By

        self.d, self.base, self.By, self.n = driver, base, By, 0

    def shot(self, name: str) -> None:
        self.n += 1
        folder = SHOTS / os.environ.get("PYTEST_CURRENT_TEST", "test").split("::")[-1].split(" ")[0]
        folder.mkdir(parents=True, exist_ok=True)
        self.d.save_screenshot(str(folder / f"{self.n:02d}_{name}.png"))

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

    def go(self, element) -> None:
        """Click something that loads a new page, and wait until the new page is there."""
        old = self.find("html")
        element.click()
        self.wait_for_new(old)

    def wait_for_new(self, old) -> None:
        """Wait until the page that *old* (its html element) belonged to has been replaced.

        While the old page is torn down chromedriver may answer "Node with given id does not
        belong to the document" instead of a stale-element error: that is gone too."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        def gone(_) -> bool:
            try:
                old.is_enabled()
            except (StaleElementReferenceException, WebDriverException):
                return True
            return False

        WebDriverWait(self.d, 30).until(gone)

    def login(self, name: str) -> None:
        self.open("/login")
        self.find("#name").send_keys(name)
        self.find("#password").send_keys(PASSWORD)
        self.go(self.find("button[type=submit]"))

    def logout(self) -> None:
        self.go(self.find("header .who button"))

    def confirm_and_go(self, element) -> None:
        """Click a button that asks "are you sure?" first, accept, and wait for the new page."""
        old = self.find("html")
        element.click()
        self.d.switch_to.alert.accept()
        self.wait_for_new(old)


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
    page.go(page.find("#upload"))
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
    page.go(task.find_element(page.By.CSS_SELECTOR, "button[type=submit]"))
    assert "责任单位：市公安局 → 市公安局、住房和城乡建设局" in page.text()
    assert "截止日期：（无） → 2024-06-30" in page.text()
    page.shot("draft_corrected")
    page.confirm_and_go(page.find("#confirm"))
    assert "已入账：新增 2 项" in page.text()
    page.shot("meetings_after_confirm")


def _counts(page: Page) -> dict[str, int]:
    return {c.get_attribute("data-colour"): int(c.find_element(page.By.CSS_SELECTOR, ".count").text)
            for c in page.all("#colour-counts a.card")}


def test_unit_reports_office_reviews_and_closes(live, driver, tmp_path, app):
    """The whole round: office confirms a meeting, the unit 签收s and reports with a file, the
    office reviews and 销号s; the 工作台 counts change on the way."""
    from speech_tasks.ledger import Ledger

    page = Page(driver, live.url)
    speech = tmp_path / "2024-03-01_安委会.txt"
    speech.write_text(MINI_SPEECH.replace("年底前完成", "3月12日前完成"), encoding="utf-8")
    page.login("office1")
    page.open("/meetings/new")
    page.find("#speech").send_keys(str(speech))
    page.go(page.find("#upload"))
    page.confirm_and_go(page.find("#confirm"))
    page.open("/", "dashboard_office_before")
    before = _counts(page)
    assert before["黄"] == 1  # 市住建局's part is due on 3-12, two days after TODAY (3-10)
    page.logout()

    page.login("zhujian")
    page.open("/mine", "mine_unsigned")
    page.go(page.find("button[data-action=sign]"))
    assert "签收完成" in page.text()
    report = page.find("details[data-action=report]")
    report.find_element(page.By.TAG_NAME, "summary").click()
    report.find_element(page.By.NAME, "note").send_keys("已完成燃气管道排查 35 处，整改隐患 12 处")
    evidence = tmp_path / "排查台账.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% evidence\n")
    report.find_element(page.By.NAME, "evidence").send_keys(str(evidence))
    page.shot("mine_reporting")
    page.go(report.find_element(page.By.CSS_SELECTOR, "button[type=submit]"))
    assert "报送进展完成" in page.text()
    done = page.find("details[data-action=complete]")
    done.find_element(page.By.TAG_NAME, "summary").click()
    done.find_element(page.By.NAME, "note").send_keys("整治完成")
    page.go(done.find_element(page.By.CSS_SELECTOR, "button[type=submit]"))
    page.open("/tasks", "tasks_unit")
    page.go(page.find("#task-table tbody a"))
    assert "排查台账.pdf" in page.text() and "已完成燃气管道排查 35 处" in page.text()
    page.shot("task_detail_unit")
    page.logout()

    page.login("office1")
    page.open("/review", "review_queue")
    page.go(page.find("button[data-action=review]"))
    page.go(page.find("button[data-action=close]"))
    assert "销号完成" in page.text()
    page.open("/", "dashboard_office_after")
    after = _counts(page)
    assert after["黄"] == before["黄"] - 1 and after["无"] == before["无"] + 1
    page.open("/tasks", "tasks_office")
    page.go(page.find("#task-table tbody a"))
    page.find("#edit-task summary").click()
    page.shot("task_detail_office_edit")
    page.open("/downloads", "downloads")
    page.open("/meetings/2024-03-01_安委会/changes", "meeting_changes")
    with Ledger(app.config["DB_PATH"]) as led:
        closed = [a for t in led.tasks() for a in t.active if a.status == "已销号"]
    assert [a.unit for a in closed] == ["市住房和城乡建设局"]
