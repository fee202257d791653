"""The ``perfreport`` command's entry point (also ``python -m perfreport``).

``perfreport --version`` is answered here without importing click and the
command's definitions, which would more than double its time; everything else
goes to :func:`perfreport.cli.main`.
"""
from __future__ import annotations

import sys


def version_line() -> str:
    from . import __version__
    from .i18n import _

    return _("perfreport，版本 {version}").format(version=__version__)


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        from .i18n import language_from_environment, set_language

        set_language(language_from_environment())
        sys.stdout.write(version_line() + "\n")
        return
    from .cli import main as run

    run(argv)


if __name__ == "__main__":  # pragma: no cover
    main()
