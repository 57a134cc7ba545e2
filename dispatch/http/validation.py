"""marshmallow speaks codes: every error a schema finds is a problem `{code, params}`.

Why: marshmallow words its errors in English ("Missing data for required field.", "Not a
valid integer."), and a client or a Chinese page must never have to recognise English text to
know what went wrong. Schemas of the API derive from `Schema` below, which replaces each
field's error messages, keyed by marshmallow's own error keys (required, null, invalid, ...),
and its validators' messages (Length, Range, OneOf) with a `Coded` string: a str whose value is
the code and which carries the parameters. `problems()` turns marshmallow's error dict into
problems; dispatch/http/messages.py words them in the asker's language.
"""

import copy
import re
from typing import Any

import marshmallow
from marshmallow import fields, validate

from ..core.errors import as_problem, problem


class Coded(str):
    """A marshmallow error message that is a code (its str value) with parameters."""

    params: dict[str, Any]

    def __new__(cls, code: str, **params: Any) -> "Coded":
        coded = super().__new__(cls, code)
        coded.params = params
        return coded

    def format(self, *args: Any, **kwargs: Any) -> "Coded":
        """marshmallow formats messages with the input and the like; the code keeps its own
        parameters (the input is the asker's own, and may be large)."""
        return self

    def as_problem(self) -> dict[str, Any]:
        return problem(str(self), **self.params)


# marshmallow's error keys → codes; "invalid" depends on the field's kind
_BY_KEY = {"required": "required", "null": "not_null", "validator_failed": "invalid_value",
           "too_large": "number_too_large", "special": "not_a_finite_number",
           "invalid_utf8": "not_a_string", "type": "not_a_mapping"}
_INVALID = ((fields.Integer, "not_an_integer"), (fields.Number, "not_a_number"),
            (fields.Boolean, "not_a_boolean"), (fields.Date, "not_a_date"),
            (fields.DateTime, "not_a_datetime"), (fields.String, "not_a_string"),
            (fields.List, "not_a_list"), (fields.Dict, "not_a_mapping"),
            (fields.Nested, "not_a_mapping"))


def _code_for(field: fields.Field, key: str) -> str:
    if key in ("invalid", "format"):
        return next((code for kind, code in _INVALID if isinstance(field, kind)),
                    "invalid_value")
    return _BY_KEY.get(key, "invalid_value")


def _coded_validator(validator):
    """A copy of a validator whose message is a code with its bounds or choices."""
    coded = copy.copy(validator)
    if isinstance(validator, validate.Length):
        v = validator
        if v.equal is not None:
            coded.error = Coded("length_must_be", equal=v.equal)
        elif v.min is not None and v.max is not None:
            coded.error = Coded("length_between", min=v.min, max=v.max)
        elif v.min is not None:
            coded.error = Coded("too_short", min=v.min)
        else:
            coded.error = Coded("too_long", max=v.max)
    elif isinstance(validator, validate.Range):
        v = validator
        if v.min is not None and v.max is not None:
            coded.error = Coded("between", min=v.min, max=v.max)
        elif v.min is not None:
            coded.error = Coded("at_least", min=v.min)
        else:
            coded.error = Coded("at_most", max=v.max)
    elif isinstance(validator, validate.OneOf):
        coded.error = Coded("one_of", choices=[str(c) for c in validator.choices])
    elif isinstance(validator, validate.Validator):
        coded.error = Coded("invalid_value")
    return coded


def _code_field(field: fields.Field) -> None:
    field.error_messages = {key: Coded(_code_for(field, key)) for key in field.error_messages}
    field.validators = [_coded_validator(v) for v in field.validators]
    for inner in (getattr(field, "inner", None), getattr(field, "key_field", None),
                  getattr(field, "value_field", None), *getattr(field, "tuple_fields", ())):
        if isinstance(inner, fields.Field):
            _code_field(inner)


class Schema(marshmallow.Schema):
    """The API's base schema: its errors are codes (see the module's docstring)."""

    error_messages = {"unknown": Coded("unknown_field"), "type": Coded("not_a_mapping")}

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _code_field(field_obj)


def problems(messages: Any, prefix: str = "") -> dict[str, list[dict[str, Any]]]:
    """marshmallow's (or webargs') error messages, nested by field or list index, as flat
    {field: [problem]} ("helpers.0" for the first helper). A message that is not coded (some
    library's own) is kept as its text, which renders as it is."""
    found: dict[str, list[dict[str, Any]]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, items in problems(value, name).items():
                found.setdefault(field, []).extend(items)
        return found
    items = messages if isinstance(messages, (list, tuple)) else [messages]
    found[prefix or "_"] = [item.as_problem() if isinstance(item, Coded) else as_problem(item)
                            for item in items]
    return found


# --- numbers as people and programs mean them --------------------------------------------------
# marshmallow's Integer reads 1.5 as 1 and Python's int() and float() read full-width and other
# Unicode digits ("２９.５") and underscores ("1_0"): a client's mistake passed on as a value.
# Where the API means a number it takes a JSON number of the right kind or, from a form or a
# query string, ASCII digits only; anything else is refused (not normalised: a latitude typed
# in full-width digits is a client to fix, not a value to guess at).

INT4 = (-(2**31), 2**31 - 1)  # what a PostgreSQL integer column holds
_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)


def whole_number(value: Any) -> int:
    """An int from a JSON integer or a string of ASCII digits; ValueError otherwise (floats,
    1.5 or 2.0 alike, booleans, other digits) and OverflowError beyond an int4."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(value)
    if isinstance(value, str):
        if not _WHOLE.fullmatch(value.strip(" ")):
            raise ValueError(value)
        value = int(value)
    if not INT4[0] <= value <= INT4[1]:
        raise OverflowError(value)
    return value


def decimal_number(value: Any) -> float:
    """A float from a JSON number or an ASCII decimal string; ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(value)
    if isinstance(value, str) and not _DECIMAL.fullmatch(value.strip(" ")):
        raise ValueError(value)
    return float(value)


class WholeNumber(fields.Integer):
    """An integer that is one (see whole_number), within a database integer."""

    def _validated(self, value: Any) -> int:
        try:
            return whole_number(value)
        except ValueError as error:
            raise self.make_error("invalid", input=value) from error
        except OverflowError as error:
            raise self.make_error("too_large", input=value) from error


class DecimalNumber(fields.Float):
    """A finite number written in ASCII (see decimal_number)."""

    def _validated(self, value: Any) -> float:
        try:
            decimal_number(value)
        except ValueError as error:
            raise self.make_error("invalid", input=value) from error
        return super()._validated(value)
