"""``perfreport serve``: a local web page over the library, for clerks and the county bureau (docs/serve.md).

Needs the ``serve`` extra (Starlette, uvicorn, python-multipart): ``pip install 'perfreport[serve]'``.
:func:`missing` says which of them is not installed, so the command can say what to install
before importing anything of the web framework.
"""
from __future__ import annotations

import importlib.util

# each distribution of the extra, and the modules it may be imported as (python-multipart renamed its module)
REQUIRED = {"starlette": ("starlette",), "uvicorn": ("uvicorn",), "python-multipart": ("python_multipart", "multipart")}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing() -> list[str]:
    """The distributions of the ``serve`` extra that cannot be imported."""
    return [distribution for distribution, modules in REQUIRED.items() if not any(map(_importable, modules))]


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this computer.

    >>> is_loopback("127.0.0.1"), is_loopback("127.0.0.2"), is_loopback("0.0.0.0"), is_loopback("::1")
    (True, True, False, True)
    """
    import ipaddress

    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind_problem(host: str, port: int) -> str | None:
    """Why ``host``:``port`` cannot be listened on (in use, no such address), or ``None`` if it can."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _name, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except OSError as error:
        return error.strerror or str(error)
    return None


def run(host: str, port: int, settings, on_start=None) -> None:
    """Serve the application on ``host``:``port`` until interrupted; the temporary folder is removed on the way out."""
    import uvicorn

    from .app import create_app

    app = create_app(settings)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    if on_start:
        on_start()
    try:
        server.run()
    finally:
        app.state.server.store.close()
