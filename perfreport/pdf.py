"""PDF from .docx with LibreOffice headless: many documents per LibreOffice start, each run with its own profile.

Each run gets a temporary user profile (``-env:UserInstallation``), so runs in
parallel — ours or a user's open LibreOffice — never collide. PDFs are
converted into a temporary folder beside their destination and moved into
place with ``os.replace``: a failed conversion leaves an existing PDF as it was.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import Location, OutputError, Problem
from .i18n import _
from .write import unwritable

INSTALL_HINT = "apt-get install libreoffice-writer-nogui fonts-noto-cjk"
TIMEOUT_PER_DOCUMENT = 60


def find_soffice() -> str:
    """The LibreOffice program (``soffice`` or ``libreoffice`` on PATH); an error saying how to install it otherwise."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        raise OutputError(Problem("PR710", _(
            "无法生成 PDF：没有找到 LibreOffice（soffice）。请先安装，例如：{hint}；"
            "Windows 或 macOS 请从 https://www.libreoffice.org 下载安装，并确保 soffice 在 PATH 中").format(
            hint=INSTALL_HINT)))
    return program


def convert(documents, outdir: str | Path | None = None) -> tuple[list[Path], list[Problem]]:
    """Convert ``documents`` (.docx paths) to PDF with one LibreOffice run.

    Each PDF is named after its document and written to ``outdir`` (default:
    the first document's folder). Returns the PDFs written and a located
    problem for each document LibreOffice could not convert.
    """
    documents = [Path(d) for d in documents]
    if not documents:
        return [], []
    program = find_soffice()
    outdir = Path(outdir) if outdir is not None else documents[0].parent
    if len({d.stem for d in documents}) != len(documents):
        raise ValueError("documents converted in one run must have distinct names")
    try:
        return _convert(program, documents, outdir)
    except OSError as exc:
        raise OutputError(unwritable(exc, getattr(exc, "filename", None) or outdir)) from None


def _convert(program: str, documents: list[Path], outdir: Path) -> tuple[list[Path], list[Problem]]:
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="perfreport-soffice-") as profile, \
            tempfile.TemporaryDirectory(dir=outdir, prefix=".perfreport-pdf-") as staging:
        command = [program, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", staging, *map(str, documents)]
        reason = None
        try:
            done = subprocess.run(command, capture_output=True, timeout=60 + TIMEOUT_PER_DOCUMENT * len(documents),
                                  stdin=subprocess.DEVNULL)
            if done.returncode:
                reason = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
        except subprocess.TimeoutExpired:
            reason = _("LibreOffice 超时")
        written, problems = [], []
        for document in documents:
            converted = Path(staging) / (document.stem + ".pdf")
            if converted.exists():
                target = outdir / converted.name
                os.replace(converted, target)
                written.append(target)
            else:
                problems.append(Problem("PR711", _("LibreOffice 未能将其转换为 PDF{reason}").format(
                    reason=f"：{reason}" if reason else ""), Location(str(document))))
    return written, problems


def convert_many(documents, outdir: str | Path | None = None, jobs: int = 1) -> tuple[list[Path], list[Problem]]:
    """:func:`convert` split into ``jobs`` LibreOffice runs side by side, each with many documents."""
    documents = list(documents)
    jobs = max(1, min(jobs, len(documents)))
    if jobs == 1:
        return convert(documents, outdir)
    from concurrent.futures import ThreadPoolExecutor

    chunks = [documents[i::jobs] for i in range(jobs)]
    written, problems = [], []
    with ThreadPoolExecutor(jobs) as pool:
        for w, p in pool.map(lambda chunk: convert(chunk, outdir), chunks):
            written += w
            problems += p
    return written, problems
