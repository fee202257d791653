"""Write output files atomically: a failed or interrupted write leaves the old file as it was."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from .errors import Location, OutputError, Problem
from .i18n import _


def unwritable(exc: OSError, path: str | Path) -> Problem:
    """The problem "cannot write ``path``" for the operating system's error ``exc``."""
    return Problem("PR401", _("无法写入：{reason}").format(reason=exc.strerror or exc), Location(str(path)))


def write_atomic(path: str | Path, write: Callable[[object], None]) -> Path:
    """Call ``write(binary_file)`` on a temporary file beside ``path``, then rename it over ``path``.

    Missing parent folders are created. On any failure (or Ctrl-C) the temporary
    file is removed and ``path`` is untouched.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
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
