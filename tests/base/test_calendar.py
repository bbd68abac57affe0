"""The delivery calendar: cut-off, lead times, weekends, holidays, working Saturdays, region entries."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from base.calendar import DELIVERY, MAX_DAYS_AHEAD, PICKUP, check_date, date_window, earliest_date
from base.models import CalendarDay
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def at(day: str, time: str) -> datetime.datetime:
    """A moment in the portal time zone."""
    return timezone.make_aware(datetime.datetime.fromisoformat(f"{day}T{time}"))


@pytest.fixture
def region():
    # Cut-off 14:00, delivery after one working day, pickup the same day.
    return RegionFactory(order_cutoff=datetime.time(14, 0), delivery_lead_days=1, pickup_lead_days=0)


def test_before_the_cut_off_the_order_is_handled_today(region):
    wednesday_morning = at("2026-06-10", "13:59")
    assert earliest_date(region, PICKUP, wednesday_morning) == D(2026, 6, 10)
    assert earliest_date(region, DELIVERY, wednesday_morning) == D(2026, 6, 11)


def test_after_the_cut_off_the_order_is_handled_the_next_working_day(region):
    wednesday_afternoon = at("2026-06-10", "14:00")
    assert earliest_date(region, PICKUP, wednesday_afternoon) == D(2026, 6, 11)
    assert earliest_date(region, DELIVERY, wednesday_afternoon) == D(2026, 6, 12)


def test_friday_after_the_cut_off_goes_to_monday_plus_the_lead_time(region):
    friday_evening = at("2026-06-05", "18:30")
    window = date_window(region, DELIVERY, friday_evening)
    assert window.handling_day == D(2026, 6, 8)  # Monday
    assert window.earliest == D(2026, 6, 9)  # Monday + 1 working day
    assert earliest_date(region, PICKUP, friday_evening) == D(2026, 6, 8)
    # A weekend order is handled on Monday too, whatever the time.
    assert earliest_date(region, PICKUP, at("2026-06-06", "09:00")) == D(2026, 6, 8)


def test_the_cut_off_is_read_in_the_portal_time_zone(region, settings):
    # 10:30 UTC is 13:30 in Moscow: before the cut-off.
    utc = datetime.datetime(2026, 6, 10, 10, 30, tzinfo=datetime.UTC)
    assert earliest_date(region, PICKUP, utc) == D(2026, 6, 10)
    assert settings.TIME_ZONE == "Europe/Moscow"


def test_a_holiday_is_skipped(region):
    CalendarDay.objects.create(date=D(2026, 6, 12), is_working=False, note="День России")
    thursday_evening = at("2026-06-11", "15:00")
    # Handled on Friday? Friday is a holiday: Monday; delivery Tuesday.
    assert earliest_date(region, DELIVERY, thursday_evening) == D(2026, 6, 16)
    with pytest.raises(ValidationError) as error:
        check_date(region, DELIVERY, D(2026, 6, 12), at("2026-06-10", "09:00"))
    assert error.value.code == "day_off"
    assert "День России" in error.value.messages[0]


def test_a_working_saturday_counts(region):
    CalendarDay.objects.create(date=D(2026, 6, 13), is_working=True, note="Перенос рабочего дня")
    friday_evening = at("2026-06-12", "16:00")
    assert date_window(region, DELIVERY, friday_evening).handling_day == D(2026, 6, 13)
    assert earliest_date(region, DELIVERY, friday_evening) == D(2026, 6, 15)
    check_date(region, PICKUP, D(2026, 6, 13), friday_evening)  # no error


def test_a_regions_own_entry_overrides_the_all_regions_entry(region):
    other = RegionFactory(delivery_lead_days=1)
    CalendarDay.objects.create(date=D(2026, 6, 11), is_working=False, note="Общий выходной")
    CalendarDay.objects.create(region=region, date=D(2026, 6, 11), is_working=True, note="Филиал работает")
    wednesday = at("2026-06-10", "09:00")
    assert earliest_date(region, DELIVERY, wednesday) == D(2026, 6, 11)
    assert earliest_date(other, DELIVERY, wednesday) == D(2026, 6, 12)


def test_check_date_says_what_is_wrong(region):
    now = at("2026-06-10", "15:00")  # after the cut-off: delivery from Friday 12.06
    cases = {
        D(2026, 6, 9): "past",
        D(2026, 6, 13): "day_off",
        D(2026, 6, 11): "too_early",
        D(2026, 6, 12) + datetime.timedelta(days=MAX_DAYS_AHEAD + 5): "too_far",
    }
    for day, code in cases.items():
        with pytest.raises(ValidationError) as error:
            check_date(region, DELIVERY, day, now)
        assert error.value.code == code, day
    with translation.override("en"), pytest.raises(ValidationError) as error:
        check_date(region, DELIVERY, D(2026, 6, 11), now)
    assert error.value.messages == ["06/11/2026 is too early: the earliest possible date is 06/12/2026."]
    check_date(region, DELIVERY, D(2026, 6, 12), now)
    check_date(region, DELIVERY, D(2026, 6, 12) + datetime.timedelta(days=MAX_DAYS_AHEAD - 1), now)


def test_the_window_loads_the_calendar_in_one_query(region, django_assert_num_queries):
    with django_assert_num_queries(1):
        window = date_window(region, DELIVERY, at("2026-06-10", "09:00"))
    with django_assert_num_queries(0):
        check_date(region, DELIVERY, D(2026, 6, 15), at("2026-06-10", "09:00"), window=window)
