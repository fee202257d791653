"""The web page (`perfreport serve`) through Starlette's test client, and a real server for concurrent uploads."""
from __future__ import annotations

import html
import io
import re
import sys
import threading
import urllib.request
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

pytest.importorskip("starlette", reason="the serve extra is part of the test extra; without it there is nothing to test")
from starlette.testclient import TestClient  # noqa: E402

import perfreport  # noqa: E402
from perfreport.cli import cli  # noqa: E402
from perfreport.errors import Location, Problem  # noqa: E402
from perfreport.tools.excelwrite import write_workbook  # noqa: E402
from perfreport.serve.app import Settings, create_app, finding_rows  # noqa: E402
from perfreport.serve.uploads import MB, Limits  # noqa: E402

from conftest import MINIMAL, ROOT, free_port  # noqa: E402

SHUREN = ROOT / "examples" / "shuren-2023.yaml"
NO_LOCALE = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None}


@pytest.fixture
def app():
    application = create_app(Settings(pdf=False))
    yield application
    application.state.server.store.close()


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client


def store_files(app) -> list[Path]:
    return sorted(p for p in app.state.server.store.root.rglob("*") if p.is_file())


def upload(client, name: str, content: bytes, url: str = "/unit"):
    return client.post(url, files={"file": (name, content)})


def link(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}" href="([^"]+)"', page)
    assert found, page
    return found.group(1)


def findings(page: str) -> list[list[str]]:
    """The findings table's rows, each as its cells' text."""
    body = re.search(r'<table id="findings">.*?<tbody>(.*?)</tbody>', page, re.S)
    if body is None:
        return []
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr.*?</tr>", body.group(1), re.S)]


def workbook_of(data: dict, tmp_path: Path) -> bytes:
    return write_workbook(data, tmp_path / "unit.xlsx").read_bytes()


def test_a_good_workbook_gives_a_report_that_is_downloaded_once(app, client, tmp_path):
    data = perfreport.load(SHUREN).source.data
    page = upload(client, "树人镇 2023.xlsx", workbook_of(data, tmp_path))
    assert page.status_code == 200 and "未发现问题，报告已生成" in page.text and findings(page.text) == []
    assert "树人镇 2023.xlsx" in page.text
    preview = client.get(link(page.text, "preview"))
    assert "<h1>2023年度绩效自评工作报告</h1>" in preview.text and "<h2>一、基本情况</h2>" in preview.text
    download = client.get(link(page.text, "docx"))
    assert download.headers["content-type"].endswith("wordprocessingml.document")
    assert "filename*=utf-8''" in download.headers["content-disposition"]
    assert "%E6%A0%91%E4%BA%BA%E9%95%87-2023" in download.headers["content-disposition"]  # 树人镇-2023…
    text = [p.text for p in docx.Document(io.BytesIO(download.content)).paragraphs]
    perfreport.render(SHUREN, tmp_path / "cli.docx")
    assert text == [p.text for p in docx.Document(tmp_path / "cli.docx").paragraphs]  # the same report as the CLI's
    assert "丰都县树人镇人民政府" in text
    assert store_files(app) == [] and len(app.state.server.store) == 0  # removed once downloaded
    assert client.get(link(page.text, "docx")).status_code == 404


def test_a_unit_with_warnings_is_rendered_and_the_warnings_listed(client):
    over = MINIMAL.replace("spent: 62.5", "spent: 120")
    page = upload(client, "测试镇.yaml", over.encode())
    rows = findings(page.text)
    assert "没有错误，有" in page.text and 'id="docx"' in page.text
    assert rows and all(row[2] == "警告" for row in rows)
    assert any(row[0].startswith("第 ") and "funds" in row[1] for row in rows), rows


def test_a_bad_yaml_shows_located_errors_and_no_download(app, client, tmp_path):
    bad = MINIMAL.replace("spent: 62.5", "spent: 约20万") + "budjet: 3\n"
    page = upload(client, "测试镇.yaml", bad.encode())
    rows = findings(page.text)
    assert page.status_code == 200 and "个错误" in page.text and 'id="docx"' not in page.text
    by_code = {row[3]: row for row in rows}
    assert by_code["PR103"][:3] == ["第 9 行第 10 列", "funds.spent", "错误"]
    assert "约20万" in by_code["PR103"][4]  # the CLI's message, escaped by the page
    assert by_code["PR101"][0].startswith("第 10 行") and "budjet" in by_code["PR101"][4]
    (tmp_path / "测试镇.yaml").write_text(bad, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "测试镇.yaml")], env=NO_LOCALE)
    assert result.exit_code == 2 and len(rows) == 2
    for row in rows:  # the command's messages, word for word
        assert f"{html.unescape(row[4])} [{row[3]} 错误]" in result.output


def test_a_bad_workbook_is_located_by_sheet_and_cell(client, tmp_path):
    data = perfreport.load(SHUREN).source.data
    data["funds"]["spent"] = "约20万"
    rows = findings(upload(client, "树人镇.xlsx", workbook_of(data, tmp_path)).text)
    assert [(row[1], row[2], row[3]) for row in rows] == [("funds.spent", "错误", "PR103")]
    assert re.fullmatch(r"资金情况!C\d+", rows[0][0]), rows


def test_errors_come_first():
    problems = [Problem("PR504", "w1", Location("x", 3), "warning"), Problem("PR103", "e1", Location("x", 5)),
                Problem("PR505", "w2", Location("x", 1), "warning"), Problem("PR101", "e2", Location("x", 9))]
    assert [row["message"] for row in finding_rows(problems)] == ["e1", "e2", "w1", "w2"]


def test_upload_names_never_become_paths(app, client):
    page = upload(client, "../../../../tmp/evil<b>.yaml", b"year: [")
    assert "evil&lt;b&gt;.yaml" in page.text and "<b>" not in page.text.split("<main>")[1].split("</h2>")[0]
    assert not Path("/tmp/evil<b>.yaml").exists()
    assert findings(page.text)[0][3] == "PR004"
    root = app.state.server.store.root
    assert [p.name for p in store_files(app)] == ["001.yaml"] and oct(root.stat().st_mode & 0o777) == "0o700"


def test_files_that_are_not_units_are_refused(client):
    rows = findings(upload(client, "report.docx", b"PK\x03\x04").text)
    assert [(row[2], row[3]) for row in rows] == [("错误", "PR801")]
    empty = client.post("/unit", files={})
    assert empty.status_code == 400 and "请选择一个数据文件" in empty.text


def test_size_limits(tmp_path):
    limits = Limits(file_size=1000, files=3, request_size=5000, unpacked_size=4000, ratio=100)
    application = create_app(Settings(pdf=False, limits=limits))
    with TestClient(application) as client:
        rows = findings(upload(client, "big.yaml", b"#" * 1500).text)
        assert [row[3] for row in rows] == ["PR802"] and "超过大小限制" in rows[0][4]
        whole = upload(client, "huge.yaml", b"#" * 6000)
        assert whole.status_code == 413 and "超过大小限制" in whole.text
        many = client.post("/county", files=[("file", (f"u{i}.yaml", MINIMAL.encode())) for i in range(4)])
        assert many.status_code == 400 and "最多 3 个" in many.text
    assert not application.state.server.store.root.exists()  # the whole folder goes with the server


def test_the_blank_workbook_and_the_starting_yaml(client, tmp_path):
    blank = client.get("/blank.xlsx")
    (tmp_path / "blank.xlsx").write_bytes(blank.content)
    assert "资金情况" in openpyxl.load_workbook(tmp_path / "blank.xlsx").sheetnames
    assert "attachment" in blank.headers["content-disposition"] and blank.headers["cache-control"] == "no-store"
    assert blank.headers["x-content-type-options"] == "nosniff" and client.get("/").headers["x-frame-options"] == "DENY"
    assert client.get("/login", follow_redirects=False).headers["location"] == "/"  # no token: no login
    for kind, key in (("", "部门整体"), ("?kind=project", "一个项目")):
        text = client.get("/starter.yaml" + kind).content.decode("utf-8")
        assert text.lstrip().startswith("#") and key in text
    assert client.get("/starter.yaml?kind=x").status_code == 404


def test_login_when_a_token_is_set():
    application = create_app(Settings(pdf=False, token="s3cret"))
    with TestClient(application) as client:
        first = client.get("/", follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/login"
        assert upload(client, "x.yaml", MINIMAL.encode()).status_code == 401
        assert client.get("/blank.xlsx", follow_redirects=False).status_code == 303
        wrong = client.post("/login", data={"token": "guess"})
        assert wrong.status_code == 401 and "口令不正确" in wrong.text
        right = client.post("/login", data={"token": "s3cret"}, follow_redirects=False)
        cookie = right.headers["set-cookie"]
        assert right.status_code == 303 and "httponly" in cookie.lower() and "s3cret" not in cookie
        assert client.get("/").status_code == 200 and "上传数据文件" in client.get("/").text
        assert "报告已生成" in upload(client, "x.yaml", MINIMAL.encode()).text


def county_zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_county_upload_of_files_and_a_zip(app, client, tmp_path):
    laiyuan = (ROOT / "examples" / "laiyuan-2023.yaml").read_bytes()
    archive = county_zip({"乡镇/涞源.yaml": laiyuan, "../escape.yaml": MINIMAL, "..\\win.yaml": MINIMAL,
                          "bomb.yaml": "#" * 5_000_000, "说明.txt": "x", "__MACOSX/._a.yaml": "x"})
    bad = MINIMAL.replace("spent: 62.5", "spent: 约20万")
    files = [("file", ("树人镇.xlsx", workbook_of(perfreport.load(SHUREN).source.data, tmp_path))),
             ("file", ("坏.yaml", bad.encode())), ("file", ("全县.zip", archive))]
    started = client.post("/county", files=files)
    assert started.status_code == 200 and "/county/" in str(started.url)
    job = app.state.server.store.get(str(started.url).rsplit("/", 1)[1])
    app.state.server.county_queue.submit(lambda: None).result()  # wait for the queue (the page polls instead)
    status = client.get(f"/county/{job.id}/status").json()
    assert status == {"done": 7, "total": 7, "finished": True}
    page = client.get(f"/county/{job.id}").text
    assert "处理完成：共 7 个单位，生成 2 份报告" in page
    units = re.search(r'<table id="units">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    files = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1] for row in re.findall(r"<tr.*?</tr>", units, re.S)]
    assert files == ["树人镇.xlsx", "坏.yaml", "全县.zip/乡镇/涞源.yaml", "全县.zip/../escape.yaml",
                     "全县.zip/..\\win.yaml", "全县.zip/bomb.yaml", "全县.zip/说明.txt"]  # as uploaded, refused last
    codes = sorted((row[4], row[0]) for row in findings_of(page) if row[3] == "错误")
    assert codes == [("PR103", "坏.yaml"), ("PR801", "全县.zip/说明.txt"), ("PR804", "全县.zip/../escape.yaml"),
                     ("PR804", "全县.zip/..\\win.yaml"), ("PR805", "全县.zip/bomb.yaml")]
    assert not (tmp_path.parent / "escape.yaml").exists() and "._a.yaml" not in page
    summary = client.get(link(page, "summary"))
    (tmp_path / "s.xlsx").write_bytes(summary.content)
    units = openpyxl.load_workbook(tmp_path / "s.xlsx")["单位"]
    names = {row[0].value: row for row in units.iter_rows(min_row=2)}
    assert {"丰都县树人镇人民政府", "测试镇人民政府"} <= set(names) and names["丰都县树人镇人民政府"][11].value == "树人镇.xlsx"
    reports = zipfile.ZipFile(io.BytesIO(client.get(link(page, "zip")).content))
    names = {"树人镇-2023年度绩效自评报告.docx": "丰都县树人镇人民政府", "涞源镇-2023年度绩效自评报告.docx": "涞源县涞源镇人民政府"}
    assert sorted(reports.namelist()) == sorted(names)
    for name, unit in names.items():
        assert unit in docx.Document(io.BytesIO(reports.read(name))).paragraphs[0].text
    assert store_files(app) == []


def findings_of(page: str) -> list[list[str]]:
    body = re.search(r'<table id="findings">.*?<tbody>(.*?)</tbody>', page, re.S)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr.*?</tr>", body.group(1), re.S)]


def test_timeout_removes_what_nobody_looks_at(app, client):
    page = upload(client, "x.yaml", MINIMAL.encode())
    store = app.state.server.store
    assert store_files(app) and len(store) == 1
    store.timeout = 0
    store.sweep()
    assert store_files(app) == [] and client.get(link(page.text, "docx")).status_code == 404


def post_file(url: str, name: str, content: bytes) -> str:
    boundary = "perfreport-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request) as response:
        return response.read().decode("utf-8")


def test_concurrent_uploads_from_several_browsers(live_server):
    url, application = live_server
    units = {f"单位{i}": MINIMAL.replace("测试镇", f"单位{i}镇") for i in range(6)}
    pages: dict = {}

    def one(name):
        pages[name] = post_file(url + "/unit", "x.yaml", units[name].encode())

    threads = [threading.Thread(target=one, args=(name,)) for name in units]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    links = {name: link(page, "docx") for name, page in pages.items()}
    assert len(set(links.values())) == len(units)
    for name, path in links.items():
        with urllib.request.urlopen(url + path) as response:
            document = docx.Document(io.BytesIO(response.read()))
        assert f"{name}镇" in "\n".join(p.text for p in document.paragraphs)  # each browser gets its own report


@pytest.mark.parametrize("modules, distribution", [(["uvicorn"], "uvicorn"), (["starlette"], "starlette"),
                                                   (["python_multipart", "multipart"], "python-multipart")])
def test_serve_without_the_extra_says_what_to_install(monkeypatch, modules, distribution):
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    result = CliRunner().invoke(cli, ["serve"], env=NO_LOCALE)
    assert result.exit_code == 2 and 'python -m pip install "perfreport[serve]"' in result.output
    assert f"网页界面需要另外安装：{distribution}。" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_serve_on_the_lan_requires_a_token(monkeypatch):
    import perfreport.serve as web

    started = {}

    def fake_run(host, port, settings, on_start=None):
        started.update(host=host, port=port, settings=settings)
        on_start()

    monkeypatch.setattr(web, "run", fake_run)
    port = str(free_port())
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", port], env=NO_LOCALE)
    token = started["settings"].token
    assert result.exit_code == 0 and token and f"登录口令：{token}" in result.output
    result = CliRunner().invoke(cli, ["serve", "--max-size", "2", "--port", port], env=NO_LOCALE)
    assert started["settings"].token is None and started["settings"].limits.file_size == 2 * MB
    assert f"http://127.0.0.1:{port}/" in result.output
    given = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", port, "--token", "abc"], env=NO_LOCALE)
    assert started["settings"].token == "abc" and "登录口令" not in given.output
    bad = CliRunner().invoke(cli, ["serve", "--format", "nosuch"], env=NO_LOCALE)
    assert bad.exit_code == 2 and "nosuch" in bad.output


def test_a_port_in_use_is_a_clear_message(live_server):
    port = live_server[0].rsplit(":", 1)[1]
    result = CliRunner().invoke(cli, ["serve", "--port", port], env=NO_LOCALE)
    assert result.exit_code == 2 and f"无法监听 127.0.0.1:{port}" in result.output and "--port 换一个" in result.output


def test_the_pdf_when_libreoffice_is_installed(soffice, tmp_path):
    import subprocess

    application = create_app(Settings(pdf=True))
    with TestClient(application) as client:
        page = upload(client, "树人镇.yaml", SHUREN.read_bytes())
        pdf = client.get(link(page.text, "pdf"))
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        assert "%E6%A0%91%E4%BA%BA%E9%95%87-2023" in pdf.headers["content-disposition"]
        (tmp_path / "r.pdf").write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
        assert "丰都县树人镇人民政府" in text
        assert client.get(link(page.text, "pdf")).status_code == 410  # once
        assert client.get(link(page.text, "docx")).status_code == 200  # the report is still there for its own download
        assert store_files(application) == [] and len(application.state.server.store) == 0
    no_pdf = create_app(Settings(pdf=False))
    with TestClient(no_pdf) as client:
        assert 'id="pdf"' not in upload(client, "树人镇.yaml", SHUREN.read_bytes()).text


def test_the_county_page_shows_progress_while_it_runs(app, client):
    hold = threading.Event()
    app.state.server.county_queue.submit(hold.wait)  # another county's batch is still running
    started = client.post("/county", files=[("file", (f"u{i}.yaml", MINIMAL.encode())) for i in range(3)])
    job_id = str(started.url).rsplit("/", 1)[1]
    assert '<progress id="progress" max="3" value="0">' in started.text and "已完成 0 / 3 个" in started.text
    assert client.get(f"/county/{job_id}/status").json() == {"done": 0, "total": 3, "finished": False}
    assert 'id="summary"' not in started.text
    hold.set()
    app.state.server.county_queue.submit(lambda: None).result()
    assert client.get(f"/county/{job_id}/status").json() == {"done": 3, "total": 3, "finished": True}
    page = client.get(f"/county/{job_id}").text
    assert "处理完成：共 3 个单位，生成 0 份报告" in page
    messages = [row[5] for row in findings_of(page) if row[4] == "PR702"]  # one unit three times: a plain reason
    assert len(messages) == 3 and all("测试镇-2023年度绩效自评报告.docx”与 u" in m and "两次" in m for m in messages)
    assert not [m for m in messages if "--name" in m or "perfreport-serve" in m], messages


def test_a_download_that_fails_can_be_taken_again(tmp_path):
    import asyncio

    from perfreport.serve.app import Download
    from perfreport.serve.store import Store

    store = Store()
    try:
        job = store.new("unit")
        job.finished = True
        store.release(job)
        report = job.folder / "report.docx"
        report.write_bytes(b"x" * 100)
        job.downloads["docx"] = report

        async def browser_gone(message):
            if message["type"] == "http.response.body":
                raise OSError("connection reset")

        scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}

        async def receive():  # the browser says nothing more (Starlette listens for a disconnect meanwhile)
            await asyncio.Event().wait()

        claimed = store.take(job, "docx")
        with pytest.raises(OSError):
            asyncio.run(Download(store, job, "docx", claimed, filename="r.docx")(scope, receive, browser_gone))
        assert report.exists() and job.downloads == {"docx": report} and job.busy == 0

        sent = []

        async def browser(message):
            sent.append(message)

        asyncio.run(Download(store, job, "docx", store.take(job, "docx"), filename="r.docx")(scope, receive, browser))
        assert b"".join(m.get("body", b"") for m in sent) == b"x" * 100
        assert not job.folder.exists() and len(store) == 0
    finally:
        store.close()


def test_the_preview_shows_every_table_with_merged_cells_once(tmp_path):
    from perfreport.serve.preview import docx_html

    document_path = perfreport.render(ROOT / "examples" / "laiyuan-2023.yaml", tmp_path / "laiyuan.docx")
    document = docx.Document(document_path)
    preview = docx_html(document_path)
    assert preview.count("<table class=report>") == len(document.tables) > 0
    first = document.tables[0]
    assert all(html.escape(cell.text) in preview for row in first.rows for cell in row.cells)
    assert "colspan=" in preview  # a header cell across columns stays one cell
    assert "<script" not in preview and "<h1>" in preview
