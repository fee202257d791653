"""End to end in a real browser: Debian's Chromium driven by Selenium (chromium-driver) against `perfreport serve`.

The clerk's way: open the page, choose a workbook, read the findings table, correct the
data, download the report and open it. Screenshots of each page are saved in
test-artefacts/browser/ (git-ignored) for a person to look at.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from perfreport.cli import cli

from conftest import ROOT

ARTEFACTS = ROOT / "test-artefacts" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
WAIT = 60  # seconds at most for a page or a download: a limit, not a measurement


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium with a fresh profile, downloading into tmp_path/downloads."""
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; .ci/run must install chromium and chromium-driver")
        pytest.skip("Chromium not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                     f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1400", "--lang=zh-CN"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    # a UTF-8 locale, or Chromium cannot name Chinese files (uploads fail, downloads are saved as "download")
    service = Service(CHROMEDRIVER, env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
    driver = webdriver.Chrome(service=service, options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


def downloaded(folder: Path, suffix: str) -> Path:
    """The file Chromium finished downloading into ``folder`` (waits while it is partial)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done and not list(folder.glob("*.crdownload")):
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} downloaded: {list(folder.iterdir())}")


def screenshot(driver, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(ARTEFACTS / f"{name}.png"))


def choose(driver, css: str, *paths: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, css).send_keys("\n".join(str(p) for p in paths))
    driver.find_element(By.ID, "upload").click()


def table(driver, css: str) -> list[list[str]]:
    from selenium.webdriver.common.by import By

    return [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
            for row in driver.find_elements(By.CSS_SELECTOR, f"{css} tbody tr")]


@pytest.fixture
def workbooks(tmp_path):
    """The example unit exported to a workbook as `perfreport export` writes it, and a copy with a wrong amount."""
    good = tmp_path / "树人镇.xlsx"
    result = CliRunner().invoke(cli, ["export", str(ROOT / "examples" / "shuren-2023.yaml"), "-o", str(good)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(good)
    sheet = book["资金情况"]
    cell = next(row[2] for row in sheet.iter_rows() if row[0].value == "funds.spent")
    cell.value = "约3117万"
    bad = tmp_path / "树人镇-有误.xlsx"
    book.save(bad)
    return good, bad, cell.coordinate


def test_a_clerk_checks_a_workbook_and_downloads_the_report(live_server, browser, workbooks, tmp_path):
    url, application = live_server
    good, bad, coordinate = workbooks
    browser.get(url + "/")
    assert "预算绩效自评报告" in browser.title
    screenshot(browser, "1-upload-page")

    choose(browser, "#file", bad)
    wait_for(browser, "#findings")
    rows = table(browser, "#findings")
    screenshot(browser, "2-findings")
    assert [row[:4] for row in rows] == [[f"资金情况!{coordinate}", "funds.spent", "错误", "PR103"]]
    assert "约3117万" in rows[0][4] and not browser.find_elements("id", "docx")

    browser.get(url + "/")
    choose(browser, "#file", good)
    link = wait_for(browser, "#docx")
    assert "报告已生成" in browser.find_element("id", "summary").text
    screenshot(browser, "3-report-ready")
    browser.get(wait_for(browser, "#preview").get_attribute("href"))
    wait_for(browser, "#report h1")
    assert "基本情况" in browser.find_element("id", "report").text
    screenshot(browser, "4-preview")
    browser.back()
    wait_for(browser, "#docx").click()
    report = downloaded(browser.downloads, ".docx")
    assert report.name == "树人镇-2023年度绩效自评报告.docx"
    paragraphs = [p.text for p in docx.Document(report).paragraphs]
    assert paragraphs[0] == "丰都县树人镇人民政府" and "一、基本情况" in paragraphs
    store = application.state.server.store
    assert len(store) == 1 and [p.name for p in store.root.rglob("*") if p.is_file()] == ["001.xlsx"]  # the bad one's:
    # the report's upload went once its report was downloaded; the other waits for its timeout


def test_the_county_page_shows_progress_and_the_batch_result(live_server, browser, workbooks):
    url, _application = live_server
    good, bad, _coordinate = workbooks
    laiyuan = ROOT / "examples" / "laiyuan-2023.yaml"
    browser.get(url + "/county")
    choose(browser, "#files", good, bad, laiyuan)
    wait_for(browser, "#progress, #done")
    screenshot(browser, "5-county-progress")
    wait_for(browser, "#done")
    screenshot(browser, "6-county-result")
    units = {row[10]: row for row in table(browser, "#units")}  # by data file: two of them are 树人镇
    assert units["树人镇.xlsx"][7:10] == ["0", "0", "树人镇-2023年度绩效自评报告.docx"]
    assert units["laiyuan-2023.yaml"][9] == "涞源镇-2023年度绩效自评报告.docx"
    assert units["树人镇-有误.xlsx"][7:10] == ["1", "0", "未生成"]
    browser.find_element("id", "summary").click()
    summary = downloaded(browser.downloads, ".xlsx")
    assert openpyxl.load_workbook(summary)["单位"].max_row == 4
