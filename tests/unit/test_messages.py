"""The message catalogue is complete: every code the core, the services and the shells raise or
return has words (dispatch/messages.py), every word has its Chinese, and a translation asks for
the same parameters as its English. A code without words would reach people as a bare slug."""

import glob
import os
import re
from functools import cache

import pytest
from babel.messages.pofile import read_po

from dispatch.http import messages, validation

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCES = sorted(glob.glob(os.path.join(ROOT, "dispatch", "**", "*.py"), recursive=True))
ERRORS = ("BadInput", "NotFound", "Unauthorized", "Forbidden", "NotAllowed", "InvalidParams",
          "Stale", "DomainError", "ServiceError", "LifecycleError", "StaleRuleSet",
          "RuleSetVersionRequired")
PATTERNS = (
    re.compile(r"\b(?:" + "|".join(ERRORS) + r")\(\s*\"([^\"]+)\""),  # refusals
    re.compile(r"\bproblem\(\s*\"([^\"]+)\""),  # field problems
    re.compile(r"\bCoded\(\s*\"([^\"]+)\""),  # marshmallow's problems
    re.compile(r"\b_step\(steps,\s*\"\w+\",\s*(?:True|False),\s*\"([^\"]+)\""),  # routing
    re.compile(r"\"code\":\s*\"([a-z_]+)\""),  # steps built by hand (services/routing.py)
    re.compile(r"GeometryError\(\s*\"[^\"]*\",\s*\"([^\"]+)\"\)"),
    re.compile(r"\"(rules?_[a-z_]+)\""),  # routing-rule problems (core/rules.py)
    re.compile(r"\b_refused\(\s*\"([^\"]+)\""),  # the commands' refusals (cli.py)
)


def raised_codes() -> set[str]:
    found = set()
    for path in SOURCES:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        for pattern in PATTERNS:
            found |= set(pattern.findall(text))
        # photo problems are worded as photo_<PhotoError code>
        found |= {f"photo_{code}" for code in re.findall(r"PhotoError\(\s*\"(\w+)\"", text)}
    return found


def test_the_scan_finds_the_codes_it_should():
    codes = raised_codes()
    assert {"unknown_department", "role_may_not", "point_in_grid", "likely_duplicate",
            "period_too_long", "photo_not_an_image", "coordinates_out_of_range",
            "rule_unknown_department", "rule_unknown_street", "rules_not_a_list",
            "import_refused", "geometry_bad_rings", "data_user_unknown"} <= codes
    assert len(codes) > 60


def test_every_code_raised_has_words():
    codes = raised_codes()
    codes |= set(validation._BY_KEY.values()) | {code for _, code in validation._INVALID}
    codes |= {"invalid_value", "length_between", "too_short", "too_long", "length_must_be",
              "between", "at_least", "at_most", "one_of"}  # validators' codes
    codes |= {"not_found", "method_not_allowed", "request_entity_too_large", "internal_error"}
    assert sorted(codes - set(messages.MESSAGES)) == []


def test_no_words_are_left_for_rule_and_import_problems_nothing_raises():
    prefixes = ("rule_", "rules_", "geometry_", "feature_", "file_", "data_")
    worded = {code for code in messages.MESSAGES if code.startswith(prefixes)}
    assert sorted(worded - raised_codes() - {"rule_decided", "rule_added"}) == []


@cache
def catalogue() -> dict[str, str]:
    translated = {}
    for path in glob.glob(os.path.join(ROOT, "dispatch", "translations", "zh_CN", "*.po")):
        with open(path, "rb") as fh:
            translated.update({m.id: m.string for m in read_po(fh) if m.id and m.string})
    return translated


WORDS = [str(lazy._args[0]) for table in (
    messages.MESSAGES, messages.STATES, messages.ACTIONS, messages.ROLES, messages.REQUESTS,
    messages.JURISDICTION_KINDS, messages.TIME_LIMITS) for lazy in table.values()]


@pytest.mark.parametrize("msgid", WORDS)
def test_every_word_has_its_chinese_with_the_same_parameters(msgid):
    chinese = catalogue().get(msgid)
    assert chinese, f"no zh_CN translation for {msgid!r}"
    placeholders = re.compile(r"%\((\w+)\)[sd]")
    assert set(placeholders.findall(chinese)) == set(placeholders.findall(msgid))
