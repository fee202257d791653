"""Message wording: Chinese source strings, other languages from gettext catalogs.

Every user-facing message is written in Chinese and wrapped in ``_()`` where
the message is made (never at import, so the language chosen at run time
applies). Chinese text kept in tables and translated later is marked with
``N_()`` so that Babel still extracts it. The catalogs live under
``perfreport/locale/<lang>/LC_MESSAGES/perfreport.po`` (compiled to ``.mo``) and
are managed with Babel: see docs/i18n.md. Without a catalog the Chinese text is
used.
"""
from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "perfreport"
LOCALE_DIR = Path(__file__).parent / "locale"
_translation: gettext.NullTranslations = gettext.NullTranslations()
_language: str | None = None


def set_language(lang: str | None) -> None:
    """Use ``lang`` (e.g. ``"en"``, ``"en_US"``, ``"zh_CN"``) for messages from now on; ``None`` means Chinese."""
    global _translation, _language
    if not lang or lang.lower().startswith("zh"):
        _translation, _language = gettext.NullTranslations(), None
    else:
        _translation, _language = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True), lang


def language() -> str | None:
    """The language messages are made in now (``None``: Chinese)."""
    return _language


def language_from_environment(environ=None) -> str | None:
    """The message language the environment asks for: LC_ALL, then LC_MESSAGES, then LANG.

    The C and POSIX locales say nothing about language and are skipped.

    >>> language_from_environment({"LANG": "en_US.UTF-8"})
    'en_US'
    >>> language_from_environment({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"})
    'zh_CN'
    >>> language_from_environment({"LANG": "POSIX"}) is None
    True
    """
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value.split(".")[0].split("@")[0]
    return None


def _(message: str) -> str:
    """``message`` (a Chinese msgid) in the current language."""
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it; pass it to ``_()`` when it is shown."""
    return message
