"""Uploaded files: what is accepted, how big, and zip archives unpacked safely.

An upload's file name is shown to the user but never becomes a path: each file is
stored under a name made here (``001.xlsx``), keeping only an accepted suffix.
Zip members are checked before anything is unpacked: no absolute paths, no ``..``,
no links, limits on the number of members, their total size and their
compression ratio (a "zip bomb" is refused before it is expanded).
"""
from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import Location, Problem
from ..i18n import _

UNIT_SUFFIXES = (".xlsx", ".yaml", ".yml")
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one upload may be: bytes per file, files per upload, bytes per request, and for zip archives
    the members' total unpacked size and the largest compression ratio of a member."""

    file_size: int = 10 * MB
    files: int = 200
    request_size: int = 100 * MB
    unpacked_size: int = 200 * MB
    ratio: int = 100


def unit_suffix(name: str) -> str | None:
    """The accepted suffix of an uploaded file's ``name`` (lower case), or ``None``.

    >>> unit_suffix("树人镇 2023.XLSX"), unit_suffix("../../etc/passwd"), unit_suffix("a.yaml.exe")
    ('.xlsx', None, None)
    """
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    return suffix if suffix in UNIT_SUFFIXES else None


def display_name(name: str) -> str:
    """The last part of an uploaded name, for showing only (browsers may send a path).

    >>> display_name("C:\\\\Users\\\\clerk\\\\树人镇.xlsx"), display_name("")
    ('树人镇.xlsx', '（未命名）')
    """
    last = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].replace("\0", "")
    return last[:200] or _("（未命名）")


def too_large(name: str, limit: int) -> Problem:
    return Problem("PR802", _("文件超过大小限制（{limit} MB）").format(limit=round(limit / MB, 1)), Location(name))


def not_a_unit(name: str) -> Problem:
    return Problem("PR801", _("不是数据文件：只接受 .xlsx、.yaml 或 .yml 文件（或装有它们的 .zip）"), Location(name))


def unsafe_member(member: str) -> bool:
    """Whether a zip member's name would leave the folder it is unpacked into, or is not a plain name.

    >>> [unsafe_member(n) for n in ("a/b.yaml", "../x.yaml", "/etc/x.yaml", "C:/x.yaml", "a\\\\..\\\\x.yaml")]
    [False, True, True, True, True]
    """
    posix = PurePosixPath(member.replace("\\", "/"))
    return (posix.is_absolute() or ".." in posix.parts or bool(PureWindowsPath(member).drive)
            or "\0" in member or member.startswith("\\"))


def unpack_zip(data_file, folder: Path, limits: Limits, archive_name: str, start: int = 1
               ) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """Unit files from the zip archive ``data_file`` (a path or binary file), written to ``folder`` under made names.

    Returns (display name, path) pairs numbered from ``start``, and a located problem for each member refused.
    An archive that is unsafe as a whole (too many members, too large unpacked) yields no files at all.
    """
    try:
        archive = zipfile.ZipFile(data_file)
    except (zipfile.BadZipFile, OSError, ValueError):
        return [], [Problem("PR806", _("不是有效的 zip 压缩包"), Location(archive_name))]
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > limits.files:
            return [], [Problem("PR803", _("压缩包中的文件超过 {limit} 个").format(limit=limits.files),
                                Location(archive_name))]
        if sum(m.file_size for m in members) > limits.unpacked_size:
            return [], [Problem("PR805", _("压缩包解压后超过 {limit} MB，未解压").format(
                limit=round(limits.unpacked_size / MB)), Location(archive_name))]
        files, problems = [], []
        for member in members:
            shown = f"{archive_name}/{member.filename}"
            name = PurePosixPath(member.filename.replace("\\", "/")).name
            if unsafe_member(member.filename) or stat.S_ISLNK(member.external_attr >> 16):
                problems.append(Problem("PR804", _("压缩包中的路径不安全（绝对路径、“..”或链接），已跳过"),
                                        Location(shown)))
            elif name.startswith((".", "~$", "__MACOSX")) or "__MACOSX" in member.filename:
                continue  # hidden files, Excel lock files and macOS resource forks are not units
            elif unit_suffix(name) is None:
                problems.append(not_a_unit(shown))
            elif member.file_size > limits.file_size:
                problems.append(too_large(shown, limits.file_size))
            elif member.compress_size and member.file_size / member.compress_size > limits.ratio:
                problems.append(Problem("PR805", _("压缩比异常（超过 {ratio} 倍），已跳过").format(ratio=limits.ratio),
                                        Location(shown)))
            else:
                path = folder / f"{start + len(files):03d}{unit_suffix(name)}"
                problem = _extract(archive, member, path, limits.file_size, shown)
                if problem:
                    problems.append(problem)
                else:
                    files.append((shown, path))
        return files, problems


def _extract(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path, limit: int, shown: str) -> Problem | None:
    """Copy one member to ``path``, stopping at ``limit`` bytes whatever its header claims."""
    written = 0
    try:
        with archive.open(member) as source, open(path, "xb") as target:
            while chunk := source.read(64 * 1024):
                written += len(chunk)
                if written > limit:
                    break
                target.write(chunk)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
        path.unlink(missing_ok=True)
        return Problem("PR806", _("无法从压缩包中读取：{reason}").format(reason=exc), Location(shown))
    if written > limit:
        path.unlink(missing_ok=True)
        return too_large(shown, limit)
    return None
