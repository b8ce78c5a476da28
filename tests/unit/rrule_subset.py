# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A strict validator for the AWX schedule RRULE subset awx/catalogue.yml uses.

python-dateutil is not in the test venv, so this checks what AWX accepts for our schedules:
``DTSTART;TZID=<zone>:YYYYMMDDTHHMMSS RRULE:<parts>`` with FREQ (DAILY, WEEKLY, MONTHLY,
YEARLY), INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYHOUR, BYMINUTE; anything else is an error."""
from __future__ import annotations

import datetime
import re
import zoneinfo

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
RANGES = {"BYMONTHDAY": (1, 31), "BYMONTH": (1, 12), "BYHOUR": (0, 23), "BYMINUTE": (0, 59)}
DTSTART = re.compile(r"^DTSTART;TZID=([A-Za-z_]+/[A-Za-z_]+):(\d{8}T\d{6})$")


class RRuleError(ValueError):
    """The schedule string is not in the supported subset."""


def parse(text):
    """Return {'tz', 'dtstart', 'rule': {PART: value}} or raise RRuleError."""
    pieces = text.split(" ")
    if len(pieces) != 2 or not pieces[1].startswith("RRULE:"):
        raise RRuleError("expected 'DTSTART;TZID=...:... RRULE:...', got %r" % text)
    match = DTSTART.match(pieces[0])
    if not match:
        raise RRuleError("bad DTSTART %r" % pieces[0])
    try:
        tz = zoneinfo.ZoneInfo(match.group(1))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise RRuleError("unknown time zone %r" % match.group(1)) from exc
    try:
        dtstart = datetime.datetime.strptime(match.group(2), "%Y%m%dT%H%M%S").replace(tzinfo=tz)
    except ValueError as exc:
        raise RRuleError("bad DTSTART date %r" % match.group(2)) from exc
    rule = {}
    for part in pieces[1][len("RRULE:"):].split(";"):
        key, sep, value = part.partition("=")
        if not sep or not value:
            raise RRuleError("bad RRULE part %r" % part)
        if key in rule:
            raise RRuleError("%s given twice" % key)
        rule[key] = value
    if rule.get("FREQ") not in FREQS:
        raise RRuleError("FREQ must be one of %s, got %r" % (", ".join(FREQS), rule.get("FREQ")))
    for key, value in rule.items():
        if key == "FREQ":
            continue
        if key == "INTERVAL":
            if not value.isdigit() or int(value) < 1:
                raise RRuleError("INTERVAL must be a positive integer, got %r" % value)
            rule[key] = int(value)
        elif key == "BYDAY":
            days = value.split(",")
            if any(day not in DAYS for day in days):
                raise RRuleError("BYDAY must list %s, got %r" % (",".join(DAYS), value))
            rule[key] = days
        elif key in RANGES:
            low, high = RANGES[key]
            numbers = []
            for item in value.split(","):
                if not item.isdigit() or not low <= int(item) <= high:
                    raise RRuleError("%s values must be %d-%d, got %r" % (key, low, high, value))
                numbers.append(int(item))
            rule[key] = numbers
        else:
            raise RRuleError("unsupported RRULE part %s" % key)
    return {"tz": match.group(1), "dtstart": dtstart, "rule": rule}


def occurrences(text, count):
    """The first `count` occurrences (aware datetimes), by walking days from DTSTART."""
    parsed = parse(text)
    rule, start = parsed["rule"], parsed["dtstart"]
    interval = rule.get("INTERVAL", 1)
    freq = rule["FREQ"]
    out = []
    day = start.date()
    while len(out) < count:
        if freq == "DAILY":
            period_ok = (day - start.date()).days % interval == 0
        elif freq == "WEEKLY":
            monday = start.date() - datetime.timedelta(days=start.weekday())
            period_ok = ((day - monday).days // 7) % interval == 0
        elif freq == "MONTHLY":
            period_ok = ((day.year - start.year) * 12 + day.month - start.month) % interval == 0
        else:
            period_ok = (day.year - start.year) % interval == 0
        ok = period_ok
        ok = ok and ("BYDAY" not in rule or DAYS[day.weekday()] in rule["BYDAY"])
        ok = ok and ("BYMONTHDAY" not in rule or day.day in rule["BYMONTHDAY"])
        ok = ok and ("BYMONTH" not in rule or day.month in rule["BYMONTH"])
        if freq == "WEEKLY" and "BYDAY" not in rule:
            ok = ok and day.weekday() == start.weekday()
        if freq == "MONTHLY" and "BYMONTHDAY" not in rule and "BYDAY" not in rule:
            ok = ok and day.day == start.day
        if freq == "YEARLY" and "BYMONTH" not in rule:
            ok = ok and day.month == start.month
        if freq == "YEARLY" and "BYMONTHDAY" not in rule and "BYDAY" not in rule:
            ok = ok and day.day == start.day
        if ok:
            for hour in rule.get("BYHOUR", [start.hour]):
                for minute in rule.get("BYMINUTE", [start.minute]):
                    when = datetime.datetime(day.year, day.month, day.day, hour, minute, start.second, tzinfo=start.tzinfo)
                    if when >= start and len(out) < count:
                        out.append(when)
        day += datetime.timedelta(days=1)
    return out
