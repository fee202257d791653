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
WATCH_INTERVAL = 0.25  # seconds between looks at the PDFs LibreOffice has written so far


def find_soffice() -> str:
    """The LibreOffice program (``soffice`` or ``libreoffice`` on PATH); an error saying how to install it otherwise."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        raise OutputError(Problem("PR710", _(
            "无法生成 PDF：没有找到 LibreOffice（soffice）。请先安装，例如：{hint}；"
            "Windows 或 macOS 请从 https://www.libreoffice.org 下载安装，并确保 soffice 在 PATH 中").format(
            hint=INSTALL_HINT)))
    return program


def convert(documents, outdir: str | Path | None = None, progress=None) -> tuple[list[Path], list[Problem]]:
    """Convert ``documents`` (.docx paths) to PDF with one LibreOffice run.

    Each PDF is named after its document and written to ``outdir`` (default:
    the first document's folder). Returns the PDFs written and a located
    problem for each document LibreOffice could not convert. ``progress``, if
    given, is called with each document once its PDF appears (while
    LibreOffice is still converting the others), from a helper thread.
    """
    documents = [Path(d) for d in documents]
    if not documents:
        return [], []
    program = find_soffice()
    outdir = Path(outdir) if outdir is not None else documents[0].parent
    if len({d.stem for d in documents}) != len(documents):
        raise ValueError("documents converted in one run must have distinct names")
    try:
        return _convert(program, documents, outdir, progress)
    except OSError as exc:
        raise OutputError(unwritable(exc, getattr(exc, "filename", None) or outdir)) from None


def _watch(staging: Path, documents: list[Path], seen: set, progress, stop) -> None:
    """Call ``progress`` for each document whose PDF has appeared in ``staging``, until ``stop`` is set."""
    by_stem = {d.stem: d for d in documents}
    while not stop.wait(WATCH_INTERVAL):
        for path in staging.glob("*.pdf"):
            document = by_stem.get(path.stem)
            if document is not None and document not in seen:
                seen.add(document)
                progress(document)


def _convert(program: str, documents: list[Path], outdir: Path, progress=None) -> tuple[list[Path], list[Problem]]:
    import threading

    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="perfreport-soffice-") as profile, \
            tempfile.TemporaryDirectory(dir=outdir, prefix=".perfreport-pdf-") as staging:
        command = [program, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", staging, *map(str, documents)]
        reason = None
        seen: set[Path] = set()
        stop = threading.Event()
        watcher = threading.Thread(target=_watch, args=(Path(staging), documents, seen, progress, stop), daemon=True)
        if progress is not None:
            watcher.start()
        try:
            done = subprocess.run(command, capture_output=True, timeout=60 + TIMEOUT_PER_DOCUMENT * len(documents),
                                  stdin=subprocess.DEVNULL)
            if done.returncode:
                reason = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
        except subprocess.TimeoutExpired:
            reason = _("LibreOffice 超时")
        finally:
            stop.set()
            if watcher.is_alive():
                watcher.join()
        written, problems = [], []
        for document in documents:
            converted = Path(staging) / (document.stem + ".pdf")
            if converted.exists():
                if progress is not None and document not in seen:
                    progress(document)
                target = outdir / converted.name
                os.replace(converted, target)
                written.append(target)
            else:
                problems.append(Problem("PR711", _("LibreOffice 未能将其转换为 PDF{reason}").format(
                    reason=f"：{reason}" if reason else ""), Location(str(document))))
    return written, problems


def convert_many(documents, outdir: str | Path | None = None, jobs: int = 1,
                 progress=None) -> tuple[list[Path], list[Problem]]:
    """:func:`convert` split into ``jobs`` LibreOffice runs side by side, each with many documents."""
    documents = list(documents)
    jobs = max(1, min(jobs, len(documents)))
    if jobs == 1:
        return convert(documents, outdir, progress)
    from concurrent.futures import ThreadPoolExecutor

    chunks = [documents[i::jobs] for i in range(jobs)]
    written, problems = [], []
    with ThreadPoolExecutor(jobs) as pool:
        for w, p in pool.map(lambda chunk: convert(chunk, outdir, progress), chunks):
            written += w
            problems += p
    return written, problems
