"""Text no column can store is refused at the door, for every request, before any view.

Why here and not per field: PostgreSQL cannot store a NUL in text and neither database driver
can encode a lone surrogate, so such a character anywhere (a JSON field or key, a form field, a
query argument, a path segment, a file name, the Idempotency-Key header) reached the database
as a 500, signed in or not (POST /api/v1/auth/token, POST /login). One guard covers every field
the project has or will have, the same on SQLite and PostgreSQL. A path segment with such a
character names nothing that can exist: 404, like any unknown ticket number or board. Elsewhere
the policy, per character:

- tab, newline and carriage return are text (a description has lines): kept as sent;
- any other C0 control character (U+0000-U+001F) and DEL (U+007F): refused, 422
  `control_characters` naming the field. Nothing is cleaned silently: a control character in a
  report is a broken client or a hostile one, and the worker's phone shows the refusal;
- a lone surrogate (JSON "\\ud800"): refused, 422 `invalid_unicode`.

JSON bodies are also refused when nested deeper than MAX_JSON_DEPTH (422 `json_too_deep`):
Python's parser raises RecursionError on a 100,000-deep array, which every JSON endpoint would
turn into a 500. A multipart part without a name is refused (422 `nameless_part`): no field of
ours can be meant.

The guard runs after the bearer check (`api.auth.authenticate_first`, registered earlier), so an
anonymous client's upload is still never read.
"""

import json
import re
from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from ..core.errors import problem
from ..services.errors import BadInput, NotFound

MAX_JSON_DEPTH = 32
DATA_HEADERS = ("Idempotency-Key",)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
INT4_MAX = 2**31 - 1


class DatabaseInt(IntegerConverter):
    """`<int:...>` in a URL: at most PostgreSQL's integer (ids are int4), so an id beyond it
    is a 404 like any id that does not exist, never an overflow in the database."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT4_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def text_problem(value: str) -> dict[str, Any] | None:
    """The problem with a piece of text no database may store, or None."""
    if _CONTROL.search(value):
        return problem("control_characters")
    if _SURROGATE.search(value):
        return problem("invalid_unicode")
    return None


def shown(name: Any) -> str:
    """A field name fit to be echoed back in an error (its bad characters replaced)."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("\ufffd", str(name)))


def install(app) -> None:
    """Call after the blueprints are registered (see the module's docstring)."""
    app.before_request(refuse_unstorable_input)


def refuse_unstorable_input() -> None:
    found: dict[str, list[dict]] = {}

    def check(field: str, value: Any) -> None:
        for text in (field, value):
            if isinstance(text, str) and (bad := text_problem(text)) is not None:
                found.setdefault(shown(field), [bad])  # one problem per field is enough
                return

    for value in (request.view_args or {}).values():
        if isinstance(value, str) and text_problem(value):
            raise NotFound("not_found")  # nothing is named so: the same 404 as any other name
    for name, value in request.args.items(multi=True):
        check(name, value)
    for name in DATA_HEADERS:
        if name in request.headers:
            check(name, request.headers[name])
    if request.mimetype in FORM_TYPES:
        try:
            request.form  # noqa: B018  (parsed once here; the view reads the same)
        except RequestEntityTooLarge:
            return  # the view answers a body too large in its own words (the phone form does)
        for name, value in request.form.items(multi=True):
            if name is None:
                raise BadInput("nameless_part", {"_": [problem("nameless_part")]})
            check(name, value)
        for name, storage in request.files.items(multi=True):
            if name is None:
                raise BadInput("nameless_part", {"_": [problem("nameless_part")]})
            check(name, storage.filename)
    elif request.is_json:
        _check_json(check)
    if found:
        raise BadInput("control_characters", found)


def _check_json(check) -> None:
    """Every key and string of the JSON body, walked without recursion; a body that is not
    JSON is left to the view, which says so in its own words."""
    try:
        body = json.loads(request.get_data(cache=True))
    except RecursionError as exc:
        raise _too_deep() from exc
    except ValueError:
        return
    stack: list[tuple[str, Any, int]] = [("", body, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(value, dict):
            for key, item in value.items():
                field = f"{path}.{key}" if path else key
                check(field, key)
                stack.append((field, item, depth + 1))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), item, depth + 1)
                         for i, item in enumerate(value))
        else:
            check(path or "_", value)


def _too_deep() -> BadInput:
    return BadInput("json_too_deep", {"_": [problem("json_too_deep", max=MAX_JSON_DEPTH)]},
                    max=MAX_JSON_DEPTH)
