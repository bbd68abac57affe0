"""`erp_status` for monitoring: its exit status, JSON, readable statuses, one language per run."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from sync.models import SyncRun

pytestmark = pytest.mark.django_db
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def _run(stream: str, status: str, *, minutes_ago: int = 0, error: str = "") -> SyncRun:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return SyncRun.objects.create(stream=stream, source="schedule", status=status, started_at=at, finished_at=at,
                                  error=error)


def _status(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("erp_status", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_fresh_stock_and_no_failure_exits_0():
    _run("stock", "success", minutes_ago=3)
    _run("prices", "success", minutes_ago=300)

    code, out = _status("--json")

    assert code == 0
    assert json.loads(out)["ok"] is True


def test_stale_stock_exits_1(settings):
    settings.PORTAL_STOCK_STALE_MINUTES = 15
    _run("stock", "success", minutes_ago=16)

    code, out = _status("--json")

    assert code == 1
    data = json.loads(out)
    assert (data["ok"], data["stock_stale"], data["failed_streams"]) == (False, True, [])


def test_never_imported_stock_exits_1():
    assert _status()[0] == 1


def test_a_failed_last_run_exits_1_even_with_fresh_stock():
    _run("stock", "success", minutes_ago=1)
    _run("prices", "success", minutes_ago=30)
    _run("prices", "failed", minutes_ago=2, error="negative price -5 for offer X")

    code, out = _status("--json", "--locale", "en")

    assert code == 1
    assert json.loads(out)["failed_streams"] == ["prices"]
    code, out = _status("--locale", "en")
    assert code == 1 and "The last run failed: Prices." in out


def test_a_failure_followed_by_a_success_is_healthy():
    _run("stock", "failed", minutes_ago=4, error="truncated file")
    _run("stock", "success", minutes_ago=1)

    assert _status()[0] == 0


def test_statuses_are_readable_not_codes():
    _run("stock", "success", minutes_ago=1)
    _run("balances", "not_configured", error="The balances exchange is not configured: no source (drop folder "
                                             "/srv/inbox/balances/ is missing); nothing was read or written.")
    _run("contracts", "nothing_to_do", error="no new files in /srv/inbox/contracts")

    code, out = _status("--locale", "en")

    assert "not_configured" not in out and "nothing_to_do" not in out
    assert re.search(r"Balances\s.*Not configured", out) and re.search(r"Contracts\s.*Nothing to do", out)
    data = json.loads(_status("--json", "--locale", "en")[1])
    balances = next(row for row in data["streams"] if row["stream"] == "balances")
    assert (balances["last_run"], balances["last_run_label"]) == ("not_configured", "Not configured")


def test_english_output_is_english_only():
    _run("stock", "success", minutes_ago=40)
    _run("stock", "failed", minutes_ago=20, error="Crashed: the run did not finish within 120 minutes.")

    out = _status("--locale", "en")[1]

    assert not CYRILLIC.search(out), out
    assert "Stock is stale" in out and "Crashed: the run did not finish within 120 minutes." in out


def test_russian_output_translates_the_portals_own_messages():
    _run("stock", "success", minutes_ago=40)
    _run("stock", "failed", minutes_ago=20, error="Crashed: the run did not finish within 120 minutes.")
    _run("balances", "not_configured", error="The balances exchange is not configured: no source (drop folder "
                                             "/srv/inbox/balances/ is missing); nothing was read or written.")

    out = _status("--locale", "ru")[1]

    assert "Сбой: запуск не завершился за 120 мин." in out
    assert "Остатки устарели" in out and "Не настроено" in out
    assert not re.search(r"\b(stream|never|Crashed|Stock is stale|not configured)\b", out), out


def test_locale_follows_the_operators_shell(monkeypatch):
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert "Stock is stale" in _status()[1]
    monkeypatch.setenv("LC_ALL", "ru_RU.UTF-8")
    assert "Остатки устарели" in _status()[1]


def test_erp_sync_prints_in_one_language(settings, tmp_path):
    settings.PORTAL_SYNC_INBOX = tmp_path / "inbox"
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("erp_sync", "balances", "--locale", "ru", stdout=out)

    assert "Взаиморасчёты: Не настроено" in out.getvalue()
    assert "ошибка: Обмен «Взаиморасчёты» не настроен" in out.getvalue()
    assert "error" not in out.getvalue() and "not configured" not in out.getvalue()
