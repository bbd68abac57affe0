"""The delivery calendar: working days, the earliest delivery or pickup date, checks of a chosen date.

Rules (tests/base/test_calendar.py):
- Monday to Friday are working days, Saturday and Sunday are not, unless a `CalendarDay` says
  otherwise (a holiday on a weekday, a working Saturday); a region's own entry for a date wins
  over the entry for all regions.
- An order placed at `now` (portal time zone) is handled today when today is a working day and
  the time is before the region's cut-off (`Region.order_cutoff`), else on the next working day.
- The earliest date is the handling day plus the region's lead time in working days
  (`delivery_lead_days` or `pickup_lead_days`; 0 means the handling day itself).
- A chosen date must be a working day, not before the earliest date and at most
  `MAX_DAYS_AHEAD` calendar days after it.

A region's calendar days are loaded for the whole window in one query.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import CalendarDay, Region

DELIVERY = "delivery"
PICKUP = "pickup"
#: How far ahead of the earliest date a buyer may book, in calendar days.
MAX_DAYS_AHEAD = 90
#: Days loaded beyond the window, enough for the longest run of days off (New Year holidays).
_SLACK_DAYS = 31


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days of one region between `start` and `end`; outside them the plain week applies."""

    start: datetime.date
    end: datetime.date
    entries: dict[datetime.date, CalendarDay]

    def is_working(self, day: datetime.date) -> bool:
        entry = self.entries.get(day)
        return entry.is_working if entry is not None else day.weekday() < 5

    def next_working(self, day: datetime.date) -> datetime.date:
        """The first working day on or after `day`."""
        while not self.is_working(day):
            day += datetime.timedelta(days=1)
        return day

    def add_working_days(self, day: datetime.date, count: int) -> datetime.date:
        """The working day `count` working days after the working day `day`."""
        for _step in range(count):
            day = self.next_working(day + datetime.timedelta(days=1))
        return day

    def day_off_note(self, day: datetime.date) -> str:
        entry = self.entries.get(day)
        return entry.note if entry is not None else ""


@dataclass(frozen=True)
class DateWindow:
    """When an order placed now can be delivered or picked up."""

    method: str
    handling_day: datetime.date
    earliest: datetime.date
    latest: datetime.date
    cutoff: datetime.time
    lead_days: int
    calendar: WorkingCalendar


def region_calendar(region: Region, start: datetime.date, end: datetime.date) -> WorkingCalendar:
    """The region's calendar from `start` to `end` inclusive, in one query."""
    rows = CalendarDay.objects.filter(Q(region=region) | Q(region__isnull=True), date__range=(start, end))
    entries: dict[datetime.date, CalendarDay] = {}
    # The all-regions entries first, so that the region's own entry for the same date replaces them.
    for row in sorted(rows, key=lambda row: row.region_id is not None):
        entries[row.date] = row
    return WorkingCalendar(start, end, entries)


def lead_days(region: Region, method: str) -> int:
    if method == PICKUP:
        return region.pickup_lead_days
    if method == DELIVERY:
        return region.delivery_lead_days
    raise ValueError(f"unknown delivery method {method!r}")


def date_window(region: Region, method: str, now: datetime.datetime | None = None) -> DateWindow:
    """The handling day, earliest and latest date of an order placed at `now` (one query)."""
    local = timezone.localtime(now or timezone.now())
    today = local.date()
    lead = lead_days(region, method)
    end = today + datetime.timedelta(days=MAX_DAYS_AHEAD + 2 * lead + _SLACK_DAYS)
    calendar = region_calendar(region, today, end)
    handling = today
    if not calendar.is_working(today) or local.time() >= region.order_cutoff:
        handling = calendar.next_working(today + datetime.timedelta(days=1))
    earliest = calendar.add_working_days(handling, lead)
    latest = earliest + datetime.timedelta(days=MAX_DAYS_AHEAD)
    return DateWindow(method, handling, earliest, latest, region.order_cutoff, lead, calendar)


def earliest_date(region: Region, method: str, now: datetime.datetime | None = None) -> datetime.date:
    """The earliest delivery or pickup date of an order placed at `now`."""
    return date_window(region, method, now).earliest


def check_date(region: Region, method: str, day: datetime.date, now: datetime.datetime | None = None,
               *, window: DateWindow | None = None) -> None:
    """Raise ValidationError (code past, too_early, too_far or day_off) unless `day` may be chosen.

    `window` is the region's `date_window` for the method when the caller has it already.
    """
    window = window or date_window(region, method, now)
    values = {"date": _day(day), "earliest": _day(window.earliest), "latest": _day(window.latest)}
    today = timezone.localdate(now or timezone.now())
    if day < today:
        raise ValidationError(_("%(date)s has already passed: choose %(earliest)s or later.") % values,
                              code="past")
    if day < window.earliest:
        raise ValidationError(_("%(date)s is too early: the earliest possible date is %(earliest)s.") % values,
                              code="too_early")
    if day > window.latest:
        raise ValidationError(_("%(date)s is too far ahead: choose a date no later than %(latest)s.") % values,
                              code="too_far")
    if not window.calendar.is_working(day):
        note = window.calendar.day_off_note(day)
        if note:
            message = _("%(date)s is a day off (%(note)s): choose a working day.") % {**values, "note": note}
        else:
            message = _("%(date)s is a day off: choose a working day.") % values
        raise ValidationError(message, code="day_off")


def _day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")
