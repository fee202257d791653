"""The web application (Starlette): pages, uploads, downloads, the login and the limits.

Pages are Jinja templates in ``pages/`` (autoescaped); the work is the library's own:
:func:`perfreport.api.load` and :func:`~perfreport.api.render` for one unit,
:func:`perfreport.batch.run.run` and :func:`~perfreport.batch.summary.write_summary` for a county.
Rendering runs in worker threads, so several browsers can upload at once.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import io
import logging
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartParser
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import Location, PerfReportError, Problem
from ..i18n import _
from .store import Job, Store
from .uploads import Limits, display_name, not_a_unit, too_large, unit_suffix, unpack_zip

log = logging.getLogger("perfreport.serve")
COOKIE = "perfreport_token"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Settings:
    """How the server was started: the report format and format folders, the token (``None`` on loopback),
    the upload limits, how long an untouched upload is kept (seconds), and whether PDF can be made."""

    format: str | None = None
    template_dirs: tuple = ()
    token: str | None = None
    limits: Limits = field(default_factory=Limits)
    timeout: float = 1800
    pdf: bool | None = None  # None: whenever LibreOffice is found

    def __post_init__(self):
        if self.pdf is None:
            from ..word.pdf import find_soffice

            try:
                find_soffice()
                self.pdf = True
            except PerfReportError:
                self.pdf = False


# --- findings as table rows ------------------------------------------------------------------------------

def where(location: Location) -> str:
    """Where a problem is, without the file: a sheet and cell, or a line and column.

    >>> where(Location("x.xlsx", sheet="资金情况", cell="C5")), where(Location("x.yaml", 8, 11)), where(Location("x"))
    ('资金情况!C5', '第 8 行第 11 列', '')
    """
    if location.sheet is not None:
        return location.sheet + (f"!{location.cell}" if location.cell else "")
    if location.line is not None:
        if location.column is not None:
            return _("第 {line} 行第 {column} 列").format(line=location.line, column=location.column)
        return _("第 {line} 行").format(line=location.line)
    return ""


def finding_rows(problems, file_name: str | None = None) -> list[dict]:
    """Problems as rows of the findings table, errors first (otherwise in the order found)."""
    from ..errors import format_path

    rows = [{"file": file_name or (p.location.file or ""), "where": where(p.location),
             "field": format_path(p.location.path), "error": p.level == "error",
             "level": _("错误") if p.level == "error" else _("警告"), "code": p.code, "message": p.message}
            for p in problems]
    return sorted(rows, key=lambda row: not row["error"])


def percent(rate) -> str:
    """A rate (a fraction, as in the summary rows) as a percentage with two decimals, rounded half up.

    >>> percent(0.934275), percent(None)
    ('93.43%', '')
    """
    from decimal import ROUND_HALF_UP, Decimal

    if rate is None:
        return ""
    return f"{(Decimal(repr(rate)) * 100).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


def _renamed(problem: Problem, name: str) -> Problem:
    """``problem`` located in the uploaded file's name rather than its temporary path."""
    return dataclasses.replace(problem, location=dataclasses.replace(problem.location, file=name))


def internal(error: Exception, name: str) -> Problem:
    log.exception("internal error on %s", name)
    return Problem("PR790", _("内部错误（请连同输入文件报告此问题）：{error}").format(
        error=f"{type(error).__name__}: {error}"), Location(name))


# --- the application ---------------------------------------------------------------------------------------

class Server:
    """The routes and what they share: settings, the store of uploads, the page templates, the county queue."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = Store(settings.timeout)
        self.pages = Environment(loader=FileSystemLoader(Path(__file__).parent / "pages"),
                                 autoescape=select_autoescape(["html"]))
        self.pages.filters["percent"] = percent
        self.county_queue = ThreadPoolExecutor(max_workers=1, thread_name_prefix="perfreport-county")
        # Uploads are kept in memory while the form is parsed (never in the system's temporary folder), up to
        # the request limit that the guard enforces: then saved to the private folder only.
        MultiPartParser.spool_max_size = settings.limits.request_size + 1024 * 1024

    def page(self, template: str, status: int = 200, **values) -> HTMLResponse:
        values.setdefault("pdf", self.settings.pdf)
        values.setdefault("limits", self.settings.limits)
        values.setdefault("mb", lambda size: round(size / (1024 * 1024), 1))
        values.setdefault("minutes", round(self.settings.timeout / 60))
        return HTMLResponse(self.pages.get_template(template).render(**values), status_code=status)

    def message(self, status: int, text: str) -> HTMLResponse:
        return self.page("message.html", status, text=text)

    # --- login -------------------------------------------------------------------------------------------

    def cookie_value(self) -> str:
        return hashlib.sha256(b"perfreport-serve:" + self.settings.token.encode()).hexdigest()

    def authorised(self, request: Request) -> bool:
        return self.settings.token is None or hmac.compare_digest(
            request.cookies.get(COOKIE, ""), self.cookie_value())

    async def login_page(self, request: Request):
        if self.settings.token is None:
            return RedirectResponse("/", 303)
        return self.page("login.html", wrong=False)

    async def login(self, request: Request):
        form = await request.form(max_files=0, max_fields=5)
        given = str(form.get("token") or "")
        if self.settings.token is None or not hmac.compare_digest(given.encode(), self.settings.token.encode()):
            return self.page("login.html", 401, wrong=True)
        response = RedirectResponse("/", 303)
        response.set_cookie(COOKIE, self.cookie_value(), httponly=True, samesite="strict")
        return response

    # --- one unit ------------------------------------------------------------------------------------------

    async def home(self, request: Request):
        return self.page("unit.html", job=None)

    async def upload_unit(self, request: Request):
        uploads = await self.uploads(request)
        if isinstance(uploads, Response):
            return uploads
        if len(uploads) != 1:
            return self.message(400, _("请选择一个数据文件（.xlsx、.yaml 或 .yml）；多个文件请用县级页面"))
        job = self.store.new("unit")
        try:
            await run_in_threadpool(self.process_unit, job, *uploads[0])
        finally:
            job.finished = True
            self.store.release(job)
        return RedirectResponse(f"/unit/{job.id}", 303)

    def process_unit(self, job: Job, name: str, upload) -> None:
        """Check the uploaded unit and, if it has no errors, render its report and the preview."""
        from .. import api
        from ..batch.run import DEFAULT_NAME, output_name
        from .preview import docx_html

        job.data.update(name=name, rows=[], report=None)
        path = self.save(job, name, upload, 1)
        if isinstance(path, Problem):
            job.data["rows"] = finding_rows([path], name)
            return
        report, problems = None, []
        try:
            report = api.load(path, format=self.settings.format, template_dirs=list(self.settings.template_dirs))
            problems = report.problems
            if not report.errors:
                document = api.render(report, job.folder / "report.docx")
                unit = report.unit
                job.data["report"] = output_name(DEFAULT_NAME, {"short_name": unit["unit"]["short_name"],
                                                                "year": unit["year"]})
                job.data["preview"] = docx_html(document)
                job.downloads["docx"] = document
                if self.settings.pdf:
                    job.downloads["pdf"] = document  # converted when asked for
        except PerfReportError as error:
            problems = list(problems) + error.problems
        except Exception as error:  # a bug: shown as a finding, the server goes on
            problems = list(problems) + [internal(error, name)]
        job.data["rows"] = finding_rows([_renamed(p, name) for p in problems], name)
        job.data["errors"] = sum(row["error"] for row in job.data["rows"])
        job.data["warnings"] = len(job.data["rows"]) - job.data["errors"]

    async def unit_page(self, request: Request):
        job = self.job(request, "unit")
        return self.page("unit.html", job=job, data=job.data, downloads=set(job.downloads))

    async def preview(self, request: Request):
        job = self.job(request, "unit")
        if not job.data.get("preview"):
            raise HTTPException(404)
        return self.page("preview.html", name=job.data["report"], body=job.data["preview"])

    async def download_docx(self, request: Request):
        job = self.job(request, "unit")
        return self.send(job, "docx", job.data.get("report") or "report.docx", DOCX)

    async def download_pdf(self, request: Request):
        from ..word.pdf import convert

        job = self.job(request, "unit")
        document = self.store.take(job, "pdf")
        if document is None:
            return self.gone()
        try:
            folder = job.folder / "pdf"
            folder.mkdir(exist_ok=True)
            written, problems = await run_in_threadpool(convert, [document], folder)
        except PerfReportError as error:
            written, problems = [], error.problems
        if not written:
            self.store.taken(job, document)
            return self.message(500, "；".join(p.message for p in problems))
        name = Path(job.data.get("report") or "report.docx").with_suffix(".pdf").name
        return Download(self.store, job, "pdf", document, written[0], media_type="application/pdf", filename=name)

    def send(self, job: Job, key: str, name: str, media_type: str) -> Response:
        path = self.store.take(job, key)
        if path is None:
            return self.gone()
        return Download(self.store, job, key, path, media_type=media_type, filename=name)

    def gone(self) -> Response:
        return self.message(410, _("此文件已下载过或已过期，服务器上不再保留；请重新上传数据文件"))

    # --- blank files -------------------------------------------------------------------------------------

    async def blank_workbook(self, request: Request):
        from ..tools.excelwrite import workbook

        def make() -> bytes:
            buffer = io.BytesIO()
            workbook({}).save(buffer)
            return buffer.getvalue()

        return _attachment(await run_in_threadpool(make), "预算绩效自评数据.xlsx", XLSX)

    async def starting_yaml(self, request: Request):
        from ..tools.starter import starting_file

        kind = request.query_params.get("kind", "department")
        if kind not in ("department", "project"):
            raise HTTPException(404)
        name = "预算绩效自评数据.yaml" if kind == "department" else "项目绩效自评数据.yaml"
        return _attachment(starting_file(kind).encode("utf-8"), name, "application/yaml; charset=utf-8")

    # --- a county: many units ---------------------------------------------------------------------------------

    async def county_home(self, request: Request):
        return self.page("county.html", job=None)

    async def upload_county(self, request: Request):
        uploads = await self.uploads(request, archives=True)
        if isinstance(uploads, Response):
            return uploads
        if not uploads:
            return self.message(400, _("请选择数据文件（.xlsx、.yaml 或 .yml）或装有它们的 .zip"))
        job = self.store.new("county")
        try:
            files, refused = await run_in_threadpool(self.save_all, job, uploads)
        except BaseException:
            self.store.drop(job)
            raise
        job.total = len(files) + len(refused)
        job.data.update(rows=[], results=[], refused=refused)
        self.county_queue.submit(self.run_county, job, files, refused)
        return RedirectResponse(f"/county/{job.id}", 303)

    def save_all(self, job: Job, uploads) -> tuple[list[tuple[str, Path]], list]:
        """Save every upload (unpacking zip archives) under made names; the refused ones as failed results."""
        from ..batch.run import UnitResult

        files, refused = [], []
        limits = self.settings.limits
        for name, upload in uploads:
            if name.lower().endswith(".zip"):
                archive = self.save(job, name, upload, 0, suffix=".zip", limit=limits.request_size)
                if isinstance(archive, Problem):
                    refused.append(UnitResult(Path(name), "failed", problems=[archive]))
                    continue
                found, problems = unpack_zip(archive, job.folder, limits, name, start=len(files) + 1)
                archive.unlink()
                files += found
                refused += [UnitResult(Path(p.location.file), "failed", problems=[p]) for p in problems]
            else:
                saved = self.save(job, name, upload, len(files) + 1)
                if isinstance(saved, Problem):
                    refused.append(UnitResult(Path(name), "failed", problems=[saved]))
                else:
                    files.append((name, saved))
        if len(files) > limits.files:
            refused += [UnitResult(Path(name), "failed", problems=[Problem("PR803", _(
                "一次最多处理 {limit} 个数据文件，此文件未处理").format(limit=limits.files), Location(name))])
                        for name, _path in files[limits.files:]]
            for _name, path in files[limits.files:]:
                path.unlink(missing_ok=True)
            files = files[:limits.files]
        return files, refused

    def run_county(self, job: Job, files: list[tuple[str, Path]], refused: list) -> None:
        """Render every unit of a county upload (in the county queue's thread), then the summary and the zip."""
        from ..batch import run as batch
        from ..batch.summary import unit_row, write_summary

        names = {path: name for name, path in files}
        results: dict = {}
        try:
            job.done = len(refused)
            if files:
                outdir = job.folder / "reports"
                for result in batch.run([path for _name, path in files], outdir, format=self.settings.format,
                                        template_dirs=self.settings.template_dirs, jobs=1, force=True):
                    results[result.file] = result
                    job.done = len(refused) + len(results)
            # in the order uploaded, then the files refused before checking
            shown = [self._shown(results[path], names) for _name, path in files] + refused
            job.data["rows"] = [unit_row(result) for result in shown]
            job.data["problems"] = finding_rows([p for r in shown for p in r.problems + r.warnings])
            job.downloads["summary"] = write_summary(job.folder / "summary.xlsx", shown)
            reports = [r for r in results.values() if r.status == "written"]  # each unit once, collisions left out
            if reports:
                job.downloads["zip"] = _zip_reports(job.folder / "reports.zip", reports)
        except PerfReportError as error:
            job.data["problems"] = finding_rows(error.problems)
        except Exception as error:  # a bug: shown on the page, the server goes on
            job.data["problems"] = finding_rows([internal(error, "batch")])
        finally:
            job.finished = True
            self.store.release(job)

    @staticmethod
    def _shown(result, names: dict):
        """A batch result as the user sees it: their file's name, the report's name without our folders."""
        name = names.get(result.file, str(result.file))
        problems = [_renamed(p, name) for p in result.problems]
        for i, problem in enumerate(problems):
            if problem.code == "PR702":  # the command's advice (--name) means nothing here, and names our folders
                other = next((shown for path, shown in names.items() if str(path) in problem.message), "")
                problems[i] = dataclasses.replace(problem, message=_(
                    "报告“{output}”与 {other} 的报告同名（同一单位上传了两次？），两者都未生成；请只上传其中一个").format(
                    output=result.output.name, other=other))
        return dataclasses.replace(result, file=Path(name), output=Path(result.output.name) if result.output else None,
                                   problems=problems, warnings=[_renamed(p, name) for p in result.warnings])

    async def county_page(self, request: Request):
        job = self.job(request, "county")
        return self.page("county.html", job=job, data=job.data, downloads=set(job.downloads))

    async def county_status(self, request: Request):
        job = self.job(request, "county")
        return JSONResponse({"done": job.done, "total": job.total, "finished": job.finished})

    async def download_summary(self, request: Request):
        return self.send(self.job(request, "county"), "summary", "绩效自评汇总.xlsx", XLSX)

    async def download_zip(self, request: Request):
        return self.send(self.job(request, "county"), "zip", "绩效自评报告.zip", "application/zip")

    # --- uploads -----------------------------------------------------------------------------------------

    async def uploads(self, request: Request, archives: bool = False):
        """The files of an upload form as (display name, upload) pairs, or a response saying what is wrong."""
        limits = self.settings.limits
        try:
            form = await request.form(max_files=limits.files, max_fields=20)
        except HTTPException as error:
            if error.status_code == 413:
                raise
            return self.message(400, _("上传的文件过多（一次最多 {limit} 个）或表单有误").format(limit=limits.files))
        uploads = [(display_name(item.filename or ""), item) for item in form.getlist("file")
                   if hasattr(item, "filename") and item.filename]
        return uploads

    def save(self, job: Job, name: str, upload, number: int, suffix: str | None = None,
             limit: int | None = None) -> Path | Problem:
        """Copy an upload into the job's folder under a made name (``001.xlsx``), or say why it was refused."""
        suffix = suffix or unit_suffix(name)
        if suffix is None:
            return not_a_unit(name)
        limit = limit or self.settings.limits.file_size
        path = job.folder / f"{number:03d}{suffix}"
        written = 0
        with open(path, "xb") as target:
            upload.file.seek(0)
            while chunk := upload.file.read(64 * 1024):
                written += len(chunk)
                if written > limit:
                    break
                target.write(chunk)
        if written > limit:
            path.unlink()
            return too_large(name, limit)
        return path

    def job(self, request: Request, kind: str) -> Job:
        job = self.store.get(request.path_params["job"], kind)
        if job is None:
            raise HTTPException(404)
        return job

    # --- errors ------------------------------------------------------------------------------------------

    async def http_error(self, request: Request, error: HTTPException):
        texts = {404: _("没有这个页面：上传的文件下载后或超过保留时间后即被删除，请重新上传"),
                 413: _("上传的内容超过大小限制（{limit} MB）").format(limit=round(self.settings.limits.request_size / 1048576)),
                 405: _("不支持这种请求")}
        return self.message(error.status_code, texts.get(error.status_code, str(error.detail)))


class Download(FileResponse):
    """A download claimed from the store (:meth:`Store.take`): once sent, its files are removed; if sending
    fails (the browser went away), it is given back so that the clerk can try again."""

    def __init__(self, store: Store, job: Job, key: str, path: Path, sent: Path | None = None, **kwargs):
        super().__init__(sent or path, **kwargs)
        self.store, self.job, self.key, self.claimed, self.sent = store, job, key, path, sent or path

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except BaseException:
            self.store.give_back(self.job, self.key, self.claimed, self.sent)
            raise
        self.store.taken(self.job, self.sent, self.claimed)


def _attachment(data: bytes, name: str, media_type: str) -> Response:
    from urllib.parse import quote

    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f"attachment; filename*=utf-8''{quote(name)}"})


def _zip_reports(path: Path, results) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for result in results:
            archive.write(result.output, result.output.name)
    return path


# the pages load nothing from elsewhere and are never framed; downloads are never sniffed as something else
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"), (b"cache-control", b"no-store"),
                    (b"content-security-policy",
                     b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'")]


class Guard:
    """ASGI middleware: the login (when a token is set) and the request size limit, before any route runs."""

    OPEN = ("/login",)

    def __init__(self, app, server: Server):
        self.app, self.server = app, server

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        if scope["path"] not in self.OPEN and not self.server.authorised(request):
            if request.method == "GET":
                response = RedirectResponse("/login", 303)
            else:
                response = self.server.message(401, _("请先登录"))
            return await response(scope, receive, send)
        limit = self.server.settings.limits.request_size
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            return await self.server.message(413, _("上传的内容超过大小限制（{limit} MB）").format(
                limit=round(limit / 1048576)))(scope, receive, send)
        received = 0

        async def guarded_send(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        async def counted():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413)
            return message

        return await self.app(scope, counted, guarded_send)


def create_app(settings: Settings | None = None) -> Starlette:
    """The web application; ``app.state.server`` holds its :class:`Server` (settings, store of uploads)."""
    server = Server(settings or Settings())
    j = "/{job:str}"

    @contextlib.asynccontextmanager
    async def lifespan(app):
        sweeper = asyncio.create_task(_sweep(server.store))
        try:
            yield
        finally:
            sweeper.cancel()
            server.county_queue.shutdown(wait=False, cancel_futures=True)
            server.store.close()

    from starlette.middleware import Middleware

    app = Starlette(routes=[
        Route("/", server.home), Route("/unit", server.upload_unit, methods=["POST"]),
        Route("/unit" + j, server.unit_page), Route("/unit" + j + "/preview", server.preview),
        Route("/unit" + j + "/report.docx", server.download_docx), Route("/unit" + j + "/report.pdf", server.download_pdf),
        Route("/blank.xlsx", server.blank_workbook), Route("/starter.yaml", server.starting_yaml),
        Route("/county", server.county_home), Route("/county", server.upload_county, methods=["POST"]),
        Route("/county" + j, server.county_page), Route("/county" + j + "/status", server.county_status),
        Route("/county" + j + "/summary.xlsx", server.download_summary),
        Route("/county" + j + "/reports.zip", server.download_zip),
        Route("/login", server.login_page), Route("/login", server.login, methods=["POST"]),
    ], middleware=[Middleware(Guard, server=server)], exception_handlers={HTTPException: server.http_error},
        lifespan=lifespan)
    app.state.server = server
    return app


async def _sweep(store: Store, every: float = 60) -> None:
    while True:
        await asyncio.sleep(every)
        await asyncio.to_thread(store.sweep)
