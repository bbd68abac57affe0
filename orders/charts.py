"""Chart geometry for server-rendered inline SVG: the templates draw what these dataclasses compute.

Two shapes: a bar list (one row per item: label, a bar scaled to the largest value, the value as
text), readable at any width and a table for screen readers; and a column chart over time (months,
days) with each column's value in its `<title>` and, where there is room, above it.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Bar:
    """One item of a chart: its label, value, the bar's length in percent of the largest, a note."""

    label: str
    value: Decimal
    share: float
    note: str = ""
    url: str = ""
    short: str = ""


def bars(items: list[tuple[str, Decimal, str]], *, urls: list[str] | None = None,
         shorts: list[str] | None = None) -> list[Bar]:
    """Bars for (label, value, note) items, scaled to the largest value (all zero: empty bars);
    `urls` link the labels, `shorts` are the labels under columns."""
    top = max((value for _label, value, _note in items), default=Decimal(0))
    urls = urls or [""] * len(items)
    shorts = shorts or [""] * len(items)
    return [Bar(label, value, float(value / top * 100) if top > 0 else 0.0, note, url, short)
            for (label, value, note), url, short in zip(items, urls, shorts, strict=True)]


@dataclass(frozen=True)
class Column:
    """A column of a column chart, in the SVG's user units."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value_label: str
    title: str
    label_x: float
    value_y: float
    show_label: bool


@dataclass(frozen=True)
class ColumnChart:
    """A column chart of `width` × `height` user units: columns, the baseline and the axis maximum."""

    width: int
    height: int
    columns: list[Column]
    baseline: float
    top_label: str

    @property
    def label_y(self) -> float:
        return self.height - 10

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


#: Column chart layout, in user units: room above for value labels, below for the x labels, and at
#: the sides for the labels of the first and last columns; the columns share at least MIN_WIDTH
#: units, each at least `slot` wide.
TOP, BOTTOM, SIDE, SLOT, MIN_WIDTH = 28, 30, 16, 56, 480


def column_chart(bars_: list[Bar], *, label_every: int = 1, slot: int = SLOT, unit: str = "",
                 places: int = 0) -> ColumnChart:
    """The columns of `bars_` left to right, `slot` units each or more; x labels on every `label_every`-th,
    counted back from the last (the latest day is always labelled).

    A column's title (its tooltip, read by screen readers) is the full label, the value with
    `places` decimals and `unit`, and the bar's note.
    """
    height = 220
    plot = height - TOP - BOTTOM
    slot = max(slot, MIN_WIDTH // max(len(bars_), 1))
    width = max(len(bars_) * slot, slot) + 2 * SIDE
    top = max((bar.value for bar in bars_), default=Decimal(0))
    columns = []
    for index, bar in enumerate(bars_):
        column_height = float(bar.value / top) * plot if top > 0 else 0.0
        x = SIDE + index * slot + slot * 0.15
        columns.append(Column(
            x=round(x, 2), y=round(TOP + plot - column_height, 2), width=round(slot * 0.7, 2),
            height=round(column_height, 2), label=bar.short or bar.label,
            value_label=compact_number(bar.value) if bar.value else "",
            title=_column_title(bar, unit, places), label_x=round(SIDE + index * slot + slot / 2, 2),
            value_y=round(TOP + plot - column_height - 6, 2),
            show_label=(len(bars_) - 1 - index) % label_every == 0))
    return ColumnChart(width, height, columns, TOP + plot, compact_number(top))


def _column_title(bar: Bar, unit: str, places: int) -> str:
    value = number_format(bar.value, places, force_grouping=True)
    title = f"{bar.label}: {value}\u00a0{unit}" if unit else f"{bar.label}: {value}"
    return f"{title} ({bar.note})" if bar.note else title


def compact_number(value: Decimal) -> str:
    """A short label for a column: 950, 12,3 тыс., 4,5 млн (the full figure is in the title and the table)."""
    if value >= 1_000_000:
        return _("%(value)s M") % {"value": number_format(round(value / 1_000_000, 1), 1)}
    if value >= 1_000:
        places = 0 if value >= 100_000 else 1
        return _("%(value)s k") % {"value": number_format(round(value / 1_000, places), places)}
    return number_format(round(value), 0)
