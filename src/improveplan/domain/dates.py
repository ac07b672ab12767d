"""Calendar dates as users type them, and the working days statutory deadlines count.

Deadlines such as "70 working days after the report was received" skip weekends, Christmas
Day, Good Friday and the bank holidays of England and Wales; the holidays come from the
`holidays` package (GB, subdivision ENG), never from a hand-written list.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from bisect import bisect_left, bisect_right
from functools import cache

__all__ = [
    "DateError",
    "add_months",
    "add_working_days",
    "is_working_day",
    "parse_date",
    "today_london",
    "working_days_between",
]

LONDON = "Europe/London"
ACCEPTED = (
    "YYYY-MM-DD, DD/MM/YYYY, today, yesterday, tomorrow, a weekday, +3d or -7d, +2w, "
    "+1m or -1m, +10wd (working days), eow, eom, eoq or eoy"
)
_MAX_SHOWN = 40  # characters of a bad value repeated back in an error message
_YEARS_PER_BLOCK = 100  # holidays are fetched and cached a century at a time
_FRIDAY = 4

_WEEKDAYS = {
    name: index
    for index, full in enumerate(calendar.day_name)
    for name in (full.lower(), full.lower()[:3])
}
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII)
_DAY_FIRST = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})", re.ASCII)
_RELATIVE = re.compile(r"([+-])([0-9]+)(wd|d|w|m)", re.ASCII)


class DateError(ValueError):
    """A date the user typed that is not one, with what would have been accepted."""


def today_london(now: dt.datetime | None = None) -> dt.date:
    """Today's date in England, whatever the server's timezone; `now` (naive = UTC) for tests."""
    from zoneinfo import ZoneInfo  # not pendulum: its import costs every command ~0.05 s

    zone = ZoneInfo(LONDON)
    if now is None:
        moment = dt.datetime.now(zone)
    else:
        moment = (now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now).astimezone(zone)
    return dt.date(moment.year, moment.month, moment.day)


def parse_date(text: str, *, today: dt.date, past: bool = False) -> dt.date:
    """Read a DATE of docs/design.md §3; raise DateError (and nothing else) when it is not one.

    A weekday names the next one after today, or with `past` (options that look back, such
    as `--since`) the last one before today: `--since monday` means this week's work.
    """
    word = text.strip().lower()
    try:
        parsed = _parse(word, today, past=past)
    except DateError:
        raise
    except (ValueError, OverflowError) as exc:  # impossible dates, offsets beyond year 9999
        raise DateError(_out_of_range(word)) from exc
    if parsed is None:
        raise DateError(_not_a_date(word))
    return parsed


def _parse(word: str, today: dt.date, *, past: bool) -> dt.date | None:
    """The date `word` names, None when it is not in the grammar at all."""
    named = _named(word, today, past=past)
    if named is not None:
        return named
    if match := _ISO.fullmatch(word):
        year, month, day = (int(part) for part in match.groups())
        return _calendar_date(word, year, month, day)
    if match := _DAY_FIRST.fullmatch(word):
        return _calendar_date(word, int(match[4]), int(match[3]), int(match[1]))
    if match := _RELATIVE.fullmatch(word):
        sign, digits, unit = match.groups()
        if len(digits) > 9:  # more than any date range; also keeps int() cheap
            raise DateError(_out_of_range(word))
        return _offset(today, int(digits) * (-1 if sign == "-" else 1), unit)
    return None


def _named(word: str, today: dt.date, *, past: bool) -> dt.date | None:
    """Words relative to today: today, tomorrow, weekdays, end of week/month/quarter/year."""
    if word in _WEEKDAYS:
        if past:
            back = (today.weekday() - _WEEKDAYS[word] - 1) % 7 + 1  # strictly before today
            return today - dt.timedelta(days=back)
        ahead = (_WEEKDAYS[word] - today.weekday() - 1) % 7 + 1  # strictly after today
        return today + dt.timedelta(days=ahead)
    if word == "eow":
        return today + dt.timedelta(days=(_FRIDAY - today.weekday()) % 7)
    if word == "eoq":
        return _end_of_month(today.year, (today.month - 1) // 3 * 3 + 3)
    simple = {
        "today": lambda: today,
        "tomorrow": lambda: today + dt.timedelta(days=1),
        "yesterday": lambda: today - dt.timedelta(days=1),
        "eom": lambda: _end_of_month(today.year, today.month),
        "eoy": lambda: dt.date(today.year, 12, 31),
    }
    return simple[word]() if word in simple else None


def _calendar_date(word: str, year: int, month: int, day: int) -> dt.date:
    """A date from its parts; an impossible one (31/02, year 0) is a DateError."""
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(_not_a_date(word)) from exc


def _offset(today: dt.date, amount: int, unit: str) -> dt.date:
    if unit == "d":
        return today + dt.timedelta(days=amount)
    if unit == "w":
        return today + dt.timedelta(weeks=amount)
    if unit == "m":
        return add_months(today, amount)
    return add_working_days(today, amount)


def _shown(word: str) -> str:
    return repr(word if len(word) <= _MAX_SHOWN else word[:_MAX_SHOWN] + "…")


def _not_a_date(word: str) -> str:
    return f"{_shown(word)} is not a date — use {ACCEPTED}"


def _out_of_range(word: str) -> str:
    return f"{_shown(word)} is not a date — dates run from 0001-01-01 to 9999-12-31"


def _end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def shift_days(d: dt.date, days: int) -> dt.date:
    """`d` moved by `days`, held at the ends of the calendar instead of overflowing.

    Windows such as "as of + 14 days" or "two years ahead" must work for any --as-of a
    user can type, including 9999-12-31.
    """
    try:
        return d + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def add_months(d: dt.date, n: int) -> dt.date:
    """Calendar months later (or earlier), clamped to the month's end: 31 Aug + 6 = 28 Feb.

    Raises OverflowError when the result would fall outside years 1-9999.
    """
    index = d.year * 12 + (d.month - 1) + n
    year, month = divmod(index, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise OverflowError(f"{d.isoformat()} + {n} months is outside years 1-9999")
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(d.day, last))


# Working days ---------------------------------------------------------------------------


@cache
def _holiday_block(block: int) -> tuple[frozenset[dt.date], tuple[int, ...]]:
    """Public holidays of one century: all of them, and the weekday ones as sorted ordinals.

    The `holidays` package builds a year range in one go far faster than year by year.
    """
    import holidays  # here, not at the top: ~0.1 s that commands without working days skip

    first = max(dt.MINYEAR, block * _YEARS_PER_BLOCK)
    last = min(dt.MAXYEAR, block * _YEARS_PER_BLOCK + _YEARS_PER_BLOCK - 1)
    calendar_ = holidays.country_holidays("GB", subdiv="ENG", years=range(first, last + 1))
    days = frozenset(day for day in calendar_ if first <= day.year <= last)
    weekdays = tuple(sorted(day.toordinal() for day in days if day.weekday() < 5))
    return days, weekdays


def is_working_day(d: dt.date) -> bool:
    """Not a Saturday, Sunday or England-and-Wales public holiday (Christmas, Good Friday...)."""
    return d.weekday() < 5 and d not in _holiday_block(d.year // _YEARS_PER_BLOCK)[0]


def _weekdays_upto(ordinal: int) -> int:
    """Weekdays from 0001-01-01 (a Monday) to the day with this ordinal, inclusive."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _holidays_between(first: int, last: int) -> int:
    """Weekday holidays with ordinals in [first, last]."""
    count = 0
    low_block = dt.date.fromordinal(first).year // _YEARS_PER_BLOCK
    high_block = dt.date.fromordinal(last).year // _YEARS_PER_BLOCK
    for block in range(low_block, high_block + 1):
        ordinals = _holiday_block(block)[1]
        count += bisect_right(ordinals, last) - bisect_left(ordinals, first)
    return count


def _working_days_in(first: int, last: int) -> int:
    """Working days with ordinals in [first, last] (0 when the range is empty)."""
    if last < first:
        return 0
    weekdays = _weekdays_upto(last) - _weekdays_upto(first - 1)
    return weekdays - _holidays_between(first, last)


def _add_weekdays(start: dt.date, n: int) -> dt.date:
    """The n-th weekday after start (n > 0) or before it (n < 0), ignoring holidays."""
    step = 1 if n > 0 else -1
    base = start
    while base.weekday() >= 5:  # from a weekend, count as if from the Friday (or Monday)
        base -= dt.timedelta(days=step)
    weeks, rest = divmod(abs(n), 5)
    spill = base.weekday() + rest > 4 if step > 0 else base.weekday() - rest < 0
    days = weeks * 7 + rest + (2 if spill else 0)
    return base + dt.timedelta(days=step * days)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after start (day 1 is the first working day after it).

    A negative n counts back the same way (-1 is the last working day before start), and
    0 returns start. Raises OverflowError when the result would fall outside years 1-9999.
    """
    current, remaining = start, n
    while remaining:
        target = _add_weekdays(current, remaining)
        first, last = sorted((current.toordinal(), target.toordinal()))
        lost = (
            _holidays_between(first + 1, last)
            if remaining > 0
            else _holidays_between(first, last - 1)
        )
        current, remaining = target, lost if remaining > 0 else -lost
    return current


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days after a up to and including b; negative when b is before a.

    It is the inverse of add_working_days: when b is a working day,
    `add_working_days(a, working_days_between(a, b)) == b`.
    """
    if b >= a:
        return _working_days_in(a.toordinal() + 1, b.toordinal())
    return -_working_days_in(b.toordinal(), a.toordinal() - 1)
