"""The per-user cache folder: compiled templates and prepared base packages kept between runs.

What is kept there is only ever a copy of something perfreport can make again;
it is found by a key that covers everything it was made from (template file and
its text, style profile, reference .docx, perfreport's and the libraries'
versions), so a stale entry is never used, only left unused. A folder that
cannot be made, read or written just means nothing is kept: the report is made
the same way, only slower.

The library keeps nothing on disk unless told where (:func:`configure`); the
``perfreport`` command reads the folder from the environment when it runs
(:func:`folder_from_environment`) and configures it.
"""
from __future__ import annotations

import os
from pathlib import Path

_folder: Path | None = None


def folder_from_environment(environ=None) -> Path | None:
    """The cache folder the environment asks for: ``PERFREPORT_CACHE_DIR`` (set but empty: no cache),
    else ``$XDG_CACHE_HOME/perfreport``, else ``~/.cache/perfreport`` (none if there is no home folder).

    >>> folder_from_environment({"PERFREPORT_CACHE_DIR": "/tmp/c", "XDG_CACHE_HOME": "/x"})
    PosixPath('/tmp/c')
    >>> folder_from_environment({"PERFREPORT_CACHE_DIR": ""}) is None
    True
    >>> folder_from_environment({"XDG_CACHE_HOME": "/x"})
    PosixPath('/x/perfreport')
    """
    environ = os.environ if environ is None else environ
    if "PERFREPORT_CACHE_DIR" in environ:
        chosen = environ["PERFREPORT_CACHE_DIR"]
        return Path(chosen) if chosen else None
    base = environ.get("XDG_CACHE_HOME")
    if base and os.path.isabs(base):
        return Path(base) / "perfreport"
    home = environ.get("HOME")
    try:
        home = Path(home) if home else Path.home()
    except RuntimeError:  # no home folder
        return None
    return home / ".cache" / "perfreport" if home.is_dir() else None  # never make a home folder


def configure(folder: str | Path | None) -> None:
    """Keep compiled templates and prepared base packages in ``folder`` from now on (``None``: nowhere)."""
    global _folder
    _folder = Path(folder) if folder else None


def folder() -> Path | None:
    """The configured cache folder, or ``None``."""
    return _folder


def subfolder(root: str | Path | None, name: str) -> Path | None:
    """``root/name``, made if need be, when it is safe to keep executable data there: a folder of the
    current user that nobody else can write to. ``None`` when there is no such folder."""
    if root is None:
        return None
    path = Path(root) / name
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            for checked, unsafe in ((Path(root), 0o002), (path, 0o022)):
                info = checked.stat()
                if info.st_uid != os.getuid() or info.st_mode & unsafe:
                    return None
        return path if os.access(path, os.R_OK | os.W_OK | os.X_OK) else None
    except OSError:
        return None


def kept(root: str | Path | None, name: str, key: str, make, encode, decode):
    """``make()``, kept in ``root/name`` for later processes: the value an earlier process kept under
    ``key`` if there is one that ``decode`` accepts, else ``make()``, then kept (when it can be).

    ``key`` must name everything the value is made from; perfreport's version is added here. The file
    starts with the whole key, so a file of another key with the same short name is never used.
    ``encode(value)`` gives bytes (or raises ``TypeError``/``ValueError``: then nothing is kept);
    ``decode(data)`` gives the value back or raises ``ValueError``
    (also ``KeyError``, ``TypeError``) for data it cannot use.
    """
    folder = subfolder(root, name)
    if folder is None:
        return make()
    import zlib  # (hashlib would add 3 ms of start-up: it loads OpenSSL)

    from . import __version__

    header = f"{__version__}\0{key}\n".encode("utf-8")
    path = folder / f"{zlib.crc32(header):08x}{zlib.adler32(header):08x}.cache"
    try:
        data = path.read_bytes()
        if data.startswith(header):
            return decode(data[len(header):])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not there yet, or unusable: make it again
    value = make()
    try:
        data = encode(value)
    except (TypeError, ValueError):  # a value this kind of entry cannot hold: use it, keep nothing
        return value
    write(path, header + data)
    return value


def write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (another process never reads half a file); silently nothing on failure."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
