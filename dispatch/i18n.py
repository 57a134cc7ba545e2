"""Translations: English message ids in code, Chinese first on screen.

Catalogs are kept per screen area (`translations/<locale>/*.po`, one file per area, so areas can
be edited independently) and compiled at start-up into one `messages.mo` in the instance folder
whenever a source is newer. No compiled file is kept in git.
"""

import glob
import logging
import os

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import request, session

log = logging.getLogger(__name__)
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations")
LOCALES = ("zh_CN", "en")


def compile_catalogs(target: str) -> str:
    """Merge each locale's .po parts into target/<locale>/LC_MESSAGES/messages.mo."""
    for locale_dir in glob.glob(os.path.join(SOURCE, "*")):
        locale = os.path.basename(locale_dir)
        parts = sorted(glob.glob(os.path.join(locale_dir, "*.po")))
        # Babel looks zh_CN up as zh_Hans_CN: compile under the name it will ask for
        out = os.path.join(target, str(Locale.parse(locale)), "LC_MESSAGES", "messages.mo")
        newest = max((os.path.getmtime(p) for p in parts), default=0)
        if os.path.exists(out) and os.path.getmtime(out) >= newest:
            continue
        merged = Catalog(locale=locale)
        for part in parts:
            with open(part, "rb") as fh:
                for message in read_po(fh, locale=locale):
                    if not (message.id and message.string):
                        continue
                    known = merged.get(message.id)
                    if known is None:
                        merged.add(message.id, message.string)
                    elif known.string != message.string:
                        log.warning("%s: %r is translated differently in another part; "
                                    "keeping %r", os.path.basename(part), message.id,
                                    known.string)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        tmp = f"{out}.{os.getpid()}.part"  # processes starting together must not share it
        with open(tmp, "wb") as fh:
            write_mo(fh, merged)
        os.replace(tmp, out)
    return target


def select_locale() -> str:
    """Chinese unless the person chose English: pages by ?lang=en (remembered in the session),
    API clients by Accept-Language (no header, or no language we speak: Chinese)."""
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(LOCALES, default="zh_CN")
    wanted = request.args.get("lang")
    if wanted in LOCALES:
        session["lang"] = wanted
        return wanted
    return session.get("lang") or "zh_CN"


def vary_by_language(response):
    """API answers are worded by Accept-Language (messages, routing summaries): say so, so a
    cache never hands one client's Chinese to another's English."""
    if request.path.startswith("/api/"):
        response.vary.add("Accept-Language")
    return response

