"""Write output files safely: atomically, never over something that would be lost.

:func:`check_target` refuses a destination before any work is done;
:func:`write_atomic` writes beside it and renames, so a failed or interrupted
write leaves the old file as it was and no temporary file behind.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

from .errors import Location, OutputError, Problem
from .i18n import _

_REASONS = {
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已用完",
    errno.ENOTDIR: "路径中有一部分是文件而不是文件夹",
    errno.EEXIST: "路径中有一部分是文件而不是文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.ENAMETOOLONG: "文件名太长",
}


def _holds(path: Path, part: str) -> bool:
    """Whether ``path`` is a zip package holding ``part``."""
    try:
        with zipfile.ZipFile(path) as package:
            return part in package.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def is_docx(path: Path) -> bool:
    """Whether ``path`` is a Word document (a zip package with ``word/document.xml``)."""
    return _holds(path, "word/document.xml")


def check_target(path: str | Path, *, force: bool = False) -> None:
    """Refuse to write a .docx to ``path`` when that would lose something.

    A folder (PR405) and a read-only file (PR404) are always refused; an
    existing non-empty file that is not a .docx (PR403) unless ``force``.
    """
    path = Path(path)
    if _existing(path) and not force and not is_docx(path):
        raise OutputError(Problem(
            "PR403", _("输出文件已存在且不是 Word 文档（.docx），未覆盖；确需覆盖请加 --force，或换一个文件名"), Location(str(path))))


def occupied(path: str | Path) -> bool:
    """Whether anything is at ``path``; a path that cannot be looked at is refused (PR401), not an error of ours."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise OutputError(unwritable(exc, path)) from None
    return True


def _existing(path: Path) -> bool:
    """Whether a non-empty file is at ``path``; a folder (PR405), a read-only file (PR404) and a path
    that cannot be looked at (a name too long, no permission: PR401) are refused."""
    where = Location(str(path))
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise OutputError(unwritable(exc, path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(Problem("PR405", _("输出路径是一个文件夹，请给出文件名（如 报告.docx）"), where))
    if not info.st_mode & 0o222:
        raise OutputError(Problem("PR404", _("输出文件是只读的，未覆盖；请取消它的只读属性，或换一个文件名"), where))
    return info.st_size > 0


def is_workbook(path: Path) -> bool:
    """Whether ``path`` is an Excel workbook (a zip package with ``xl/workbook.xml``)."""
    return _holds(path, "xl/workbook.xml")


def is_imported(path: Path) -> bool:
    """Whether ``path`` is a YAML file written by ``perfreport import`` (its first line says so)."""
    try:
        with open(path, "rb") as handle:
            first = handle.readline(1000)
    except OSError:
        return False
    return first.startswith(b"#") and b"perfreport import" in first


def check_replaceable(path: str | Path, same_kind: Callable[[Path], bool], kind: str, *, force: bool = False) -> None:
    """Refuse to write over an existing file of another kind (``kind`` names the expected one, e.g.
    "Excel 工作簿（.xlsx）") unless ``force``; a folder and a read-only file always."""
    path = Path(path)
    if _existing(path) and not force and not same_kind(path):
        raise OutputError(Problem("PR406", _("输出文件已存在且不是{kind}，未覆盖；确需覆盖请加 --force，或换一个文件名").format(kind=kind),
                                  Location(str(path))))


def unwritable(exc: OSError, path: str | Path) -> Problem:
    """The problem "cannot write ``path``" for the operating system's error ``exc``, said in words."""
    reason = _(_REASONS[exc.errno]) if exc.errno in _REASONS else (exc.strerror or str(exc))
    return Problem("PR401", _("无法写入：{reason}").format(reason=reason), Location(str(path)))


def write_atomic(path: str | Path, write: Callable[[object], None]) -> Path:
    """Call ``write(binary_file)`` on a temporary file beside ``path``, then rename it over ``path``.

    Missing parent folders are created (and removed again when not even the temporary file can be
    made in them, e.g. a name too long). On any failure (or Ctrl-C) the temporary
    file is removed and ``path`` is untouched.
    """
    path = Path(path)
    made = [folder for folder in [path.parent, *path.parent.parents] if not os.path.lexists(folder)]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        _remove_folders(made)
        raise OutputError(unwritable(exc, path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(unwritable(exc, path)) from None
        raise
    return path



def _remove_folders(made: list[Path]) -> None:
    """Remove the folders a failed write created (innermost first), if they are still empty."""
    for folder in made:
        try:
            os.rmdir(folder)
        except OSError:
            pass
