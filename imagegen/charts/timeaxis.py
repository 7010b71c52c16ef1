"""A time axis: `x` given as ISO 8601 dates and date-times or Unix timestamps, drawn at
its dates (a gap of a month is a month wide), with ticks at calendar steps.

Times are kept as Unix seconds (floats) in UTC: a date-time with an offset is moved to
UTC, one without is taken as UTC. Ticks fall on whole calendar units (seconds, minutes,
hours, days, Mondays, months, years) in steps such as 15 minutes, 6 hours, 3 months or
10 years, the finest step whose measured labels fit side by side; labels are written
for their step (`14:30`, `Mar 5`, `Mar`, `2024`), with the date or year where it changes.
Month names are English and fixed, never the machine's locale, so bytes are the same.
"""

import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from imagegen.charts.ticks import MAX_TICKS, Ticks

# Dates as a URL writes them: `2024`, `2024-03`, `2024-03-15`, `2024-03-15T14:30`,
# with seconds, fractions, and `Z` or an offset (`+02:00`) after a time.
DATE_PATTERN = (
    r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:Z|z|[-+][0-9]{2}(?::?[0-9]{2})?)?)?)?)?"
)
_DATE = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?(?P<zone>[Zz]|[-+]\d{2}(?::?\d{2})?)?)?)?)?"
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Unix seconds of 0001-01-01 and 9999-12-31T23:59:59: what a calendar can write.
FIRST_TIME = (datetime(1, 1, 1, tzinfo=UTC) - EPOCH).total_seconds()
LAST_TIME = (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - EPOCH).total_seconds()
DATE_EXAMPLES = "2024-03-15, 2024-03-15T14:30, 2024-03-15T14:30:00+02:00, 2024-03 or 2024"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAY = 86_400.0


def parse_time(text: str) -> float:
    """Unix seconds of an ISO 8601 date or date-time (UTC unless it says otherwise).
    Raises ValueError for anything else, or a date that does not exist."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        raise ValueError(text)
    parts = match.groupdict()
    zone = parts["zone"]
    offset = timedelta(0)
    if zone and zone not in "Zz":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            raise ValueError(text)
        offset = sign * timedelta(hours=hours, minutes=minutes)
    fraction = parts["fraction"] or "0"
    moment = datetime(  # raises ValueError for a month 13, a February 30…
        int(parts["year"]),
        int(parts["month"] or 1),
        int(parts["day"] or 1),
        int(parts["hour"] or 0),
        int(parts["minute"] or 0),
        int(parts["second"] or 0),
        tzinfo=UTC,
    )
    return (moment - EPOCH).total_seconds() - offset.total_seconds() + float("0." + fraction)


def _moment(seconds: float) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def _seconds(moment: datetime) -> float:
    return (moment - EPOCH).total_seconds()


# The steps ticks may take, finest first: (unit, how many of it).
_STEPS = (
    *(("second", n) for n in (1, 2, 5, 10, 15, 30)),
    *(("minute", n) for n in (1, 2, 5, 10, 15, 30)),
    *(("hour", n) for n in (1, 2, 3, 6, 12)),
    *(("day", n) for n in (1, 2)),
    ("week", 1),
    *(("month", n) for n in (1, 2, 3, 6)),
    *(("year", n) for n in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)),
)
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": DAY, "week": 7 * DAY}


def _year_month(months: int) -> tuple[int, int]:
    return months // 12, months % 12 + 1


def _ticks_at(unit: str, count: int, low: float, high: float) -> Iterator[float]:
    """The moments on `count` × `unit` boundaries from `low` to `high` (Unix seconds)."""
    if unit in _SECONDS:
        step = _SECONDS[unit] * count
        # Weeks start on Mondays (1970-01-01 was a Thursday); others on whole units of
        # the day, so that 6-hour ticks are 00:00, 06:00, 12:00 and 18:00.
        origin = 4 * DAY if unit == "week" else 0.0
        first = math.ceil((low - origin) / step - 1e-9)
        k = first
        while origin + k * step <= high + 1e-6:
            yield origin + k * step
            k += 1
        return
    start = _moment(low)
    if unit == "month":
        months = start.year * 12 + start.month - 1
        months += -(-months // count) * count - months  # up to a multiple of `count`
        while True:
            year, month = _year_month(months)
            if year > 9999:
                return
            at = _seconds(datetime(year, month, 1, tzinfo=UTC))
            if at > high + 1e-6:
                return
            if at >= low - 1e-6:
                yield at
            months += count
    year = -(-start.year // count) * count
    while year <= 9999:
        at = _seconds(datetime(max(year, 1), 1, 1, tzinfo=UTC))
        if at > high + 1e-6:
            return
        if at >= low - 1e-6:
            yield at
        year += count


def _date(moment: datetime, with_year: bool) -> str:
    text = f"{MONTHS[moment.month - 1]} {moment.day}"
    return f"{text}, {moment.year}" if with_year else text


def time_labels(values: list[float], unit: str) -> list[str]:
    """The labels of ticks at `values` on `unit` steps: the time of day for seconds to
    hours (the date at midnight, and with the first tick), the day for days and weeks
    (the year with the first and at a new year), the month for months (likewise), and
    the year for years."""
    labels: list[str] = []
    previous: datetime | None = None
    for value in values:
        moment = _moment(value)
        first = previous is None
        new_year = previous is not None and moment.year != previous.year
        if unit == "year":
            labels.append(str(moment.year))
        elif unit == "month":
            month = MONTHS[moment.month - 1]
            labels.append(f"{month} {moment.year}" if first or new_year else month)
        elif unit in ("day", "week"):
            labels.append(_date(moment, first or new_year))
        else:
            clock = f"{moment.hour:02d}:{moment.minute:02d}"
            if unit == "second":
                clock += f":{moment.second:02d}"
            midnight = clock.strip("0:") == ""
            if midnight:
                labels.append(_date(moment, first or new_year))
            elif first:
                labels.append(f"{_date(moment, False)} {clock}")
            else:
                labels.append(clock)
        previous = moment
    return labels


def time_range(values: list[float], pad: float = 0.0) -> tuple[float, float]:
    """The axis' ends: the first and last time (`pad` seconds beyond each), or a day
    around a single time; a day from the epoch with none."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, DAY
    low, high = min(finite) - pad, max(finite) + pad
    if high - low <= 0:
        low, high = low - DAY / 2, high + DAY / 2
    return max(low, FIRST_TIME), min(high, LAST_TIME)


def time_ticks(span: tuple[float, float], fits: Callable[[list[float], list[str]], bool]) -> Ticks:
    """Ticks over `span` (Unix seconds) at the finest calendar step that puts at most
    `MAX_TICKS` ticks on it and whose labels `fits` accepts (given the ticks' positions
    and labels); the coarsest if none fits. The axis ends at the span's ends."""
    low, high = span
    chosen = Ticks([], [], low, high)
    for unit, count in _STEPS:
        approximate = (high - low) / (
            _SECONDS.get(unit, 30 * DAY if unit == "month" else 365 * DAY) * count
        )
        if approximate > MAX_TICKS:
            continue
        values = list(_ticks_at(unit, count, low, high))
        if not values:
            continue
        chosen = Ticks(values, time_labels(values, unit), low, high)
        if len(values) <= MAX_TICKS and fits(values, chosen.labels):
            return chosen
    return chosen
