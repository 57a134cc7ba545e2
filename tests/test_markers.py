"""The markers of pyproject.toml select what they name (they are added in tests/conftest.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def collected(marker: str, *paths: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
         "-m", marker, *paths], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 5), done.stdout[-2000:] + done.stderr[-2000:]  # 5: none
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_browser_selects_the_browser_tests_and_only_them():
    ids = collected("browser", "tests/browser", "tests/unit/test_coords.py")
    files = {i.split("::")[0] for i in ids}
    assert files == {str(p.relative_to(ROOT)) for p in (ROOT / "tests/browser").glob("test_*.py")}
    assert collected("not browser", "tests/browser") == []


@pytest.mark.parametrize(("marker", "expected"), [
    ("postgres", {"test_upgrade_on_empty_postgresql_matches_the_models",
                  "test_a_database_at_0006_as_first_applied_upgrades_to_the_models[postgres]",
                  "test_a_real_worker_process_runs_the_jobs_of_a_report"}),
    ("redis", {"test_a_real_worker_process_runs_the_jobs_of_a_report"}),
])
def test_postgres_and_redis_select_the_tests_that_need_them(marker, expected):
    ids = collected(marker, "tests/integration/test_migrations.py",
                    "tests/integration/test_demo_and_worker.py")
    assert {i.split("::")[1] for i in ids} == expected
