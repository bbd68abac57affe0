"""Every `.venv/bin/python manage.py` line of the README works as written on the embedded default.

A clean environment (no SECRET_KEY, no DATABASE_URL, no DEBUG: what an operator's shell gives), a
temporary SQLite file migrated and seeded as `make run` does, then each line: with `--help`, and for
real when it holds no placeholder (`<...>`, `[...]`, `a|b`).
"""

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite

BASE_DIR = Path(__file__).resolve().parents[2]
PREFIX = ".venv/bin/python manage.py "


def readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", (BASE_DIR / "README.md").read_text(), re.DOTALL)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()
            if line.startswith(PREFIX)]


def _run(env: dict, args: list[str], timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def operator_env(tmp_path_factory) -> dict:
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8",
           "PORTAL_VAR_DIR": str(tmp_path_factory.mktemp("readme") / "var")}
    for step in (["migrate", "--noinput", "-v0"], ["seed_demo", "--products", "30", "--clients", "2", "--if-empty"]):
        result = _run(env, [*shlex.split(PREFIX), *step])
        assert result.returncode == 0, result.stderr
    return env


def test_the_readme_names_the_ops_commands():
    names = {shlex.split(line)[2] for line in readme_commands()}
    assert {"erp_status", "erp_sync", "erp_import", "erp_demo_feed", "seed_demo", "marketing_grant"} <= names


@pytest.mark.parametrize("line", readme_commands())
def test_readme_command_works_as_written(operator_env, line):
    words = shlex.split(line)
    placeholder = next((i for i, word in enumerate(words) if re.search(r"[<\[|]", word)), None)
    helped = _run(operator_env, [*words[:placeholder], "--help"])
    assert helped.returncode == 0 and "usage:" in helped.stdout, helped.stderr
    if placeholder is not None:
        return
    result = _run(operator_env, words)
    # erp_status and erp_sync exit 1 to say "stale" or "not configured"; anything else is a failure
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr and "Configuration error" not in result.stderr, result.stderr
    assert result.stdout.strip(), "the command says what it did"
