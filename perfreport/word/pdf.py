"""PDF from .docx with LibreOffice headless: many documents per LibreOffice start, each run with its own profile.

Each run gets a temporary user profile (``-env:UserInstallation``), so runs in
parallel — ours or a user's open LibreOffice — never collide. PDFs are
converted into a temporary folder beside their destination and moved into
place with ``os.replace``: a failed conversion leaves an existing PDF as it was.

The 公文 fonts a document names and the machine lacks are mapped to installed
free fonts of the same kind through a fontconfig configuration given to
LibreOffice (``FONTCONFIG_FILE``), with a warning (PR712) for each.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, unescape

from ..errors import Location, OutputError, Problem
from ..i18n import _
from ..write import unwritable

INSTALL_HINT = "apt-get install libreoffice-writer-nogui fonts-noto-cjk"
TIMEOUT_PER_DOCUMENT = 60
WATCH_INTERVAL = 0.25  # seconds between looks at the PDFs LibreOffice has written so far

# The 公文 fonts (GB/T 9704) are not free and rarely installed on Linux. Without help LibreOffice
# sets all of them in one fallback face (Noto Sans CJK JP), so title, body and headings look alike.
# Each is mapped, in a fontconfig configuration given to LibreOffice, to the first installed of
# these free faces of the same kind (Debian packages: fonts-noto-cjk, fonts-noto-cjk-extra,
# fonts-arphic-ukai, fonts-arphic-uming, fonts-wqy-zenhei, fonts-liberation2). "Family:bold" asks
# for the bold face of the family. The .docx keeps the real names.
_FANGSONG = ("FangSong", "仿宋", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN")
_SONG = ("SimSun", "宋体", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN")
_BOLD_SERIF = ("Noto Serif CJK SC Black", "Noto Serif CJK SC:bold", "Source Han Serif SC Heavy", "AR PL UMing CN:bold")
_SANS = ("SimHei", "黑体", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
_KAI = ("KaiTi", "楷体", "LXGW WenKai", "AR PL UKai CN", "AR PL KaitiM GB")
SUBSTITUTES = {
    "仿宋_GB2312": _FANGSONG, "仿宋": _FANGSONG, "FangSong": _FANGSONG, "FangSong_GB2312": _FANGSONG,
    "方正小标宋简体": _BOLD_SERIF, "方正小标宋_GBK": _BOLD_SERIF, "小标宋": _BOLD_SERIF,
    "黑体": _SANS, "SimHei": _SANS, "方正黑体_GBK": _SANS,
    "楷体_GB2312": _KAI, "楷体": _KAI, "KaiTi": _KAI, "KaiTi_GB2312": _KAI, "方正楷体_GBK": _KAI,
    "宋体": _SONG, "SimSun": _SONG,
    "Times New Roman": ("Liberation Serif", "Tinos", "DejaVu Serif"),
}
_FONT_NAME = re.compile(rb'w:(?:eastAsia|ascii|hAnsi)="([^"]+)"')


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
        environment, warnings = _font_environment(documents, Path(profile))
        reason = None
        seen: set[Path] = set()
        stop = threading.Event()
        watcher = threading.Thread(target=_watch, args=(Path(staging), documents, seen, progress, stop), daemon=True)
        if progress is not None:
            watcher.start()
        try:
            done = subprocess.run(command, capture_output=True, timeout=60 + TIMEOUT_PER_DOCUMENT * len(documents),
                                  stdin=subprocess.DEVNULL, env=environment)
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
    return written, warnings + problems


def documents_fonts(documents) -> list[str]:
    """The font names the .docx ``documents`` ask for (styles and body), in the order first met."""
    names: dict[str, None] = {}
    for document in documents:
        try:
            with zipfile.ZipFile(document) as package:
                for part in ("word/styles.xml", "word/document.xml"):
                    if part in package.namelist():
                        for name in _FONT_NAME.findall(package.read(part)):
                            names.setdefault(unescape(name.decode("utf-8", "replace")), None)
        except (OSError, zipfile.BadZipFile):
            continue   # LibreOffice reports the document (PR711)
    return list(names)


def installed_fonts() -> set[str] | None:
    """The font families fontconfig knows (every name of each), or None without fontconfig (fc-list)."""
    program = shutil.which("fc-list")
    if program is None:
        return None
    try:
        listed = subprocess.run([program, "--format", "%{family}\\n"], capture_output=True, timeout=60,
                                stdin=subprocess.DEVNULL).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return None
    return {name.strip() for line in listed.splitlines() for name in line.split(",") if name.strip()}


def substitutions(fonts, installed: set[str]) -> dict[str, str | None]:
    """For each of ``fonts`` that is not ``installed`` and has free stand-ins: the first installed
    stand-in ("Family" or "Family:bold"), or None when none is installed."""
    chosen = {}
    for font in fonts:
        if font in installed or font not in SUBSTITUTES:
            continue
        chosen[font] = next((c for c in SUBSTITUTES[font] if c.partition(":")[0] in installed), None)
    return chosen


def fontconfig(chosen: dict[str, str | None], include: str | None) -> str:
    """A fontconfig configuration: the system's (``include``), and each font in ``chosen`` replaced by its stand-in."""
    rules = []
    for font, stand_in in chosen.items():
        if stand_in is None:
            continue
        family, _colon, weight = stand_in.partition(":")
        bold = '<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>' if weight == "bold" else ""
        rules.append(f'<match target="pattern"><test qual="any" name="family"><string>{escape(font)}</string></test>'
                     f'<edit name="family" mode="assign" binding="strong"><string>{escape(family)}</string></edit>{bold}</match>')
    system = f'<include ignore_missing="yes">{escape(include)}</include>' if include else ""
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            + "\n".join(rules) + f"\n{system}\n</fontconfig>\n")


def _system_fontconfig() -> str | None:
    for candidate in (os.environ.get("FONTCONFIG_FILE"), "/etc/fonts/fonts.conf", "/usr/local/etc/fonts/fonts.conf",
                      "/opt/homebrew/etc/fonts/fonts.conf"):
        if candidate and os.path.isfile(candidate):
            return candidate
    return None


def _font_environment(documents: list[Path], folder: Path) -> tuple[dict | None, list[Problem]]:
    """The environment for LibreOffice (FONTCONFIG_FILE naming a configuration in ``folder`` that
    maps the missing 公文 fonts to installed free ones) and a warning for each font replaced.
    Where fontconfig is not used (Windows, macOS without fc-list), LibreOffice is left as it is."""
    installed = installed_fonts()
    system = _system_fontconfig()
    if installed is None or system is None:
        return None, []
    chosen = substitutions(documents_fonts(documents), installed)
    warnings = []
    for font, stand_in in chosen.items():
        if stand_in is None:
            message = _("本机没有安装字体“{font}”，也没有可代替它的免费字体，PDF 中由 LibreOffice 自行选择字体；"
                        "可安装 fonts-noto-cjk 等字体包").format(font=font)
        else:
            message = _("本机没有安装字体“{font}”，PDF 中以“{stand_in}”代替（.docx 中仍为“{font}”）").format(
                font=font, stand_in=stand_in.replace(":bold", _("（粗体）")))
        warnings.append(Problem("PR712", message, level="warning"))
    if not any(chosen.values()):
        return None, warnings
    config = folder / "perfreport-fonts.conf"
    config.write_text(fontconfig(chosen, system), encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(config)}, warnings


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
            problems += [problem for problem in p if problem not in problems]   # a font warning once, not per run
    return written, problems
