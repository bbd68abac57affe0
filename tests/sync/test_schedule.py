"""The ERP and escalation schedule: named beat entries, real tasks, honest "not configured" runs."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from celery.schedules import schedule as interval_schedule
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from portal.beat import PortalScheduler
from portal.celery import app as celery_app
from sync.models import Stream, SyncRun

# name: (task, stream recorded, runs per day)
EXPECTED = {
    "sync-stock": ("sync.tasks.sync_stream", Stream.STOCK, 24 * 12),  # every 5 minutes
    "sync-prices": ("sync.tasks.sync_stream", Stream.PRICES, 1),  # nightly
    "sync-counterparties": ("sync.tasks.sync_stream", Stream.COUNTERPARTIES, 24),  # hourly
    "sync-contracts": ("sync.tasks.sync_stream", Stream.CONTRACTS, 24),
    "sync-balances": ("sync.tasks.sync_stream", Stream.BALANCES, 24),
    "sync-order-export": ("sync.tasks.sync_stream", Stream.ORDER_EXPORT, 24 * 60),  # every minute
    "orders-escalation-check": ("sync.tasks.escalation_check", Stream.ESCALATION, 24 * 12),
    "portal-deferred-tasks": ("portal.tasks.deferred_tasks_send", None, 24 * 60),  # tests/portal/test_redis_down.py
}
# name: (task, day of the week (0 = Sunday)); once that day (tests/orders/test_reorder_digest.py runs the task)
WEEKLY = {
    "orders-reorder-digest": ("sync.tasks.reorder_digest", 1),
}


def runs_per_day(schedule) -> int:
    """How often an entry fires in a day; crontabs must fire every day of every month."""
    if isinstance(schedule, interval_schedule):  # what django-celery-beat's IntervalSchedule gives
        schedule = schedule.run_every
    if isinstance(schedule, timedelta):
        assert timedelta(days=1) % schedule == timedelta(0), "the interval divides the day"
        return timedelta(days=1) // schedule
    assert isinstance(schedule, crontab), schedule
    assert schedule.day_of_week == set(range(7))
    assert schedule.day_of_month == set(range(1, 32))
    assert schedule.month_of_year == set(range(1, 13))
    return len(schedule.hour) * len(schedule.minute)


@pytest.fixture(autouse=True)
def _no_drop_folders(settings, tmp_path):
    """No configured source: every stream's drop folder is missing."""
    settings.PORTAL_SYNC_INBOX = tmp_path / "no-inbox"


@pytest.fixture(scope="module")
def registered_tasks():
    """Tasks as the worker sees them: found by the Celery app's autodiscovery, not imported by hand."""
    celery_app.loader.import_default_modules()
    return celery_app.tasks


def test_schedule_has_the_named_entries():
    assert set(settings.CELERY_BEAT_SCHEDULE) == set(EXPECTED) | set(WEEKLY)


@pytest.mark.parametrize("name", sorted(WEEKLY))
def test_weekly_entry_runs_once_a_week_in_the_morning(name, registered_tasks):
    task, day = WEEKLY[name]
    entry = settings.CELERY_BEAT_SCHEDULE[name]
    schedule = entry["schedule"]

    assert entry["task"] == task
    assert task in registered_tasks
    assert isinstance(schedule, crontab)
    assert schedule.day_of_week == {day}
    assert schedule.day_of_month == set(range(1, 32)) and schedule.month_of_year == set(range(1, 13))
    (hour,) = schedule.hour
    assert len(schedule.minute) == 1 and 6 <= hour < 10, "before buyers plan the day's orders"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_entry_runs_the_right_task_at_the_right_frequency(name, registered_tasks):
    task, stream, per_day = EXPECTED[name]
    entry = settings.CELERY_BEAT_SCHEDULE[name]

    assert entry["task"] == task
    assert task in registered_tasks
    assert runs_per_day(entry["schedule"]) == per_day
    if task == "sync.tasks.sync_stream":
        assert tuple(entry["args"]) == (stream,)


def test_prices_run_at_night():
    schedule = settings.CELERY_BEAT_SCHEDULE["sync-prices"]["schedule"]
    (hour,) = schedule.hour

    assert 0 <= hour < 6, "prices change overnight, before clients start ordering"
    assert settings.CELERY_TIMEZONE == "Europe/Moscow"


def test_hourly_jobs_do_not_start_together():
    """Counterparties, contracts and balances hit the ERP at different minutes of the hour."""
    minutes = [
        next(iter(settings.CELERY_BEAT_SCHEDULE[name]["schedule"].minute))
        for name in ("sync-counterparties", "sync-contracts", "sync-balances")
    ]

    assert len(set(minutes)) == len(minutes)


def test_celery_app_reads_the_schedule_from_settings():
    assert celery_app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    assert settings.CELERY_BEAT_SCHEDULER == "portal.beat:PortalScheduler"


@pytest.mark.django_db
# The other two: tests/orders/test_escalation.py and tests/portal/test_redis_down.py.
@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"orders-escalation-check", "portal-deferred-tasks"}))
def test_scheduled_task_records_not_configured_run(name, registered_tasks):
    """Without a configured source a job says so: a "not configured" run with a message, never a success."""
    task, stream, _ = EXPECTED[name]
    entry = settings.CELERY_BEAT_SCHEDULE[name]

    # apply() is what eager mode runs: the task body in this process, with its result or exception.
    result = registered_tasks[task].apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
    run = SyncRun.objects.get(pk=result.get())

    assert run.stream == stream
    assert run.source == SyncRun.Source.SCHEDULE
    assert run.status == SyncRun.Status.NOT_CONFIGURED
    assert "not configured" in run.error
    assert run.finished_at is not None
    assert run.worker
    assert not SyncRun.objects.filter(status=SyncRun.Status.SUCCESS).exists()


@pytest.mark.django_db
def test_unknown_stream_is_an_error_and_records_nothing(registered_tasks):
    # CELERY_TASK_EAGER_PROPAGATES: the exception reaches the caller, as in eager mode.
    with pytest.raises(ValueError, match="unknown stream 'warp-drive'"):
        registered_tasks["sync.tasks.sync_stream"].apply(args=("warp-drive",))
    assert not SyncRun.objects.exists()


# The scheduler tests are transactional: beat runs outside any transaction, and the scheduler calls
# close_old_connections(), which closes a connection it finds inside the test's transaction.


def _start_beat() -> None:
    """What `celery beat` does on start with PortalScheduler: setup_schedule() from settings."""
    PortalScheduler(app=celery_app)._finalize.cancel()


@pytest.mark.django_db(transaction=True)
def test_database_scheduler_installs_the_entries():
    """celery beat with DatabaseScheduler copies the entries into PeriodicTask (admin: Periodic tasks)."""
    _start_beat()
    tasks = {task.name: task for task in PeriodicTask.objects.select_related("interval", "crontab")}

    assert set(EXPECTED) <= set(tasks)
    for name, (task, stream, per_day) in EXPECTED.items():
        periodic = tasks[name]
        assert periodic.task == task
        assert periodic.enabled
        if task == "sync.tasks.sync_stream":
            assert periodic.args == f'["{stream}"]'
        assert runs_per_day(periodic.schedule) == per_day, name

    stock = tasks["sync-stock"]
    assert (stock.interval.every, stock.interval.period) == (300, "seconds")
    prices = tasks["sync-prices"]
    assert (prices.crontab.hour, prices.crontab.minute) == ("2", "0")
    for name, (task, day) in WEEKLY.items():
        assert (tasks[name].task, tasks[name].enabled, tasks[name].crontab.day_of_week) == (task, True, str(day))


@pytest.mark.django_db(transaction=True)
def test_disabling_an_entry_in_admin_survives_a_beat_restart():
    _start_beat()
    PeriodicTask.objects.filter(name="sync-prices").update(enabled=False)

    _start_beat()

    assert PeriodicTask.objects.get(name="sync-prices").enabled is False


@pytest.mark.django_db(transaction=True)
def test_schedule_edited_in_admin_survives_a_beat_restart():
    _start_beat()
    stock = PeriodicTask.objects.get(name="sync-stock")
    stock.interval = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    stock.save()

    _start_beat()

    assert PeriodicTask.objects.get(name="sync-stock").interval.every == 10
