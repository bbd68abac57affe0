"""Tests parametrised over both databases the portal runs on: PostgreSQL and SQLite (the embedded default).

A test session has one database (DATABASE_URL), so a test taking the `vendor` fixture runs for real on
the session's database, and its case for the other one reports the outcome of the same case in one
pytest run of its module on SQLite, started once per module in a subprocess without DATABASE_URL and
REDIS_URL (as `make run` has it). The PostgreSQL cases of a session on SQLite are skipped, like tests
marked `postgres`.
"""

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.db import connection

VENDORS = ("postgresql", "sqlite")
BASE_DIR = Path(__file__).resolve().parents[1]
_outcomes: dict[Path, dict[str, tuple[str, str]]] = {}


def session_vendor() -> str:
    return connection.vendor


def sqlite_outcomes(module: Path) -> dict[str, tuple[str, str]]:
    """Test name → (outcome, details) of the module's `[sqlite]` cases run on SQLite, run once per module."""
    if module not in _outcomes:
        report = Path(tempfile.mkdtemp(prefix="sqlite-cases-")) / f"{module.stem}.xml"
        env = {key: value for key, value in os.environ.items()
               if key not in ("DATABASE_URL", "REDIS_URL", "CI", "PYTEST_ADDOPTS")}
        run = subprocess.run(
            [sys.executable, "-m", "pytest", str(module), "-q", "-p", "no:warnings", "-k", "sqlite",
             f"--junitxml={report}"],
            cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600,
        )
        outcomes = {}
        if report.is_file():
            for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 - our own report
                found = next(iter(case), None)
                outcome = "passed" if found is None or found.tag in ("system-out", "system-err") else found.tag
                details = "" if found is None else (found.get("message", "") + "\n" + (found.text or ""))
                outcomes[case.get("name")] = (outcome, details)
        if not outcomes:
            outcomes[""] = ("error", f"pytest on SQLite ran nothing:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
        _outcomes[module] = outcomes
    return _outcomes[module]


@pytest.fixture(params=VENDORS)
def vendor(request) -> str:
    """The database this case is about; see `run_on_vendor` for how the other database's case runs."""
    if request.param == "postgresql" and session_vendor() != "postgresql":
        pytest.skip("needs PostgreSQL (running on SQLite)")
    return request.param


def run_on_vendor(item: pytest.Function) -> bool:
    """`pytest_pyfunc_call`: a `[sqlite]` case in a PostgreSQL session takes its outcome from SQLite."""
    callspec = getattr(item, "callspec", None)
    if callspec is None or callspec.params.get("vendor") != "sqlite" or session_vendor() == "sqlite":
        return False
    outcomes = sqlite_outcomes(item.path)
    outcome, details = outcomes.get(item.name) or outcomes.get("", ("missing", f"{item.name} did not run on SQLite"))
    if outcome == "skipped":
        pytest.skip(f"on SQLite: {details.strip()}")
    if outcome != "passed":
        pytest.fail(f"on SQLite ({outcome}):\n{details}", pytrace=False)
    return True
