"""Message wording: Chinese source strings, other languages from gettext catalogs.

Every user-facing message is written in Chinese and wrapped in ``_()``; a
catalog under ``perfreport/locale/<lang>/LC_MESSAGES/perfreport.mo`` translates
it. Without a catalog the Chinese text is used.
"""
from __future__ import annotations

import gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
_translation: gettext.NullTranslations = gettext.NullTranslations()


def set_language(lang: str | None) -> None:
    """Use ``lang`` (e.g. ``"en"``, ``"zh_CN"``) for messages from now on; ``None`` means Chinese."""
    global _translation
    if not lang or lang.lower().startswith("zh"):
        _translation = gettext.NullTranslations()
    else:
        _translation = gettext.translation("perfreport", LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    return _translation.gettext(message)
