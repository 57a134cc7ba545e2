"""One clock and one time zone: nothing outside `dispatch/clock.py` reads the system time or
the time-zone setting, and the core never reads either (the shells hand it values). A new
`datetime.now()` in a view is how a suite comes to pass or fail by the hour of the day."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for folder in ("dispatch", "boards", "workers")
                 for p in (ROOT / folder).rglob("*.py"))
CLOCK = ROOT / "dispatch" / "clock.py"
READS_TIME = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
              ("date", "today"), ("time", "time"), ("time", "time_ns"), ("time", "localtime")}


def time_reads(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
            if (name, node.func.attr) in READS_TIME:
                found.append(f"line {node.lineno}: {name}.{node.func.attr}()")
        if isinstance(node, ast.Constant) and node.value == "TIMEZONE":
            found.append(f"line {node.lineno}: reads the TIMEZONE setting")
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ZoneInfo" \
                and node.args and isinstance(node.args[0], ast.Constant):
            found.append(f"line {node.lineno}: ZoneInfo({node.args[0].value!r})")
    return found


def test_only_the_clock_reads_the_time_and_the_zone():
    offenders = {}
    for path in SOURCES:
        if path == CLOCK:
            continue
        reads = time_reads(ast.parse(path.read_text(encoding="utf-8")))
        if reads:
            offenders[str(path.relative_to(ROOT))] = reads
    assert offenders == {}, "these read the time or the zone themselves; use dispatch.clock"


def test_the_checker_sees_a_clock_read():
    assert time_reads(ast.parse("from datetime import datetime\nx = datetime.now()")) \
        == ["line 2: datetime.now()"]
    assert time_reads(ast.parse("app.config['TIMEZONE']")) == [
        "line 1: reads the TIMEZONE setting"]
