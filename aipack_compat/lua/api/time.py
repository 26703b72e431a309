"""aip.time.* (`A:src/script/aip_modules/aip_time.rs@952ad06e`, `A:src/support/time.rs@952ad06e`).

`now_*` exist from 0.8.0; `today_*`, `weekday_*` and `local_tz_id` from 0.8.1. Formats are the
`time` crate's ISO 8601 with second or microsecond precision: `2026-11-24T19:17:35Z` in UTC (also
for a local zone at offset zero) and `2026-11-24T14:17:38-05:00` elsewhere, checked against aip
0.8.37. The local offset follows `TZ`/localtime as aip's does; `local_tz_id` reads the
`/etc/localtime` link as `time_tz::system::get_timezone` does (it ignores `TZ`) and falls back to
"UTC".
"""

from __future__ import annotations

import datetime as _dt
import os
import time as _time

from aipack_compat.lua.api.host import ApiFunction, ApiHost

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _now(local: bool) -> _dt.datetime:
    now = _dt.datetime.now(_dt.timezone.utc)
    return now.astimezone() if local else now


def _iso(moment: _dt.datetime, micro: bool) -> str:
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if micro:
        text += f".{moment.microsecond:06d}"
    offset = moment.utcoffset() or _dt.timedelta(0)
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def now_iso_utc(host: ApiHost) -> str:
    return _iso(_now(False), micro=False)


def now_iso_local(host: ApiHost) -> str:
    return _iso(_now(True), micro=False)


def now_iso_utc_micro(host: ApiHost) -> str:
    return _iso(_now(False), micro=True)


def now_iso_local_micro(host: ApiHost) -> str:
    return _iso(_now(True), micro=True)


def now_utc_micro(host: ApiHost) -> int:
    return _time.time_ns() // 1000


def _today(local: bool, with_weekday: bool) -> str:
    date = _now(local).date()
    iso = date.isoformat()
    return f"{_WEEKDAYS[date.weekday()]} {iso}" if with_weekday else iso


def local_tz_id(host: ApiHost) -> str:
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        target = ""
    marker = "zoneinfo/"
    if marker in target:
        return target.split(marker, 1)[1]
    try:
        with open("/etc/timezone", encoding="utf-8") as handle:
            name = handle.read().strip()
    except OSError:
        name = ""
    return name or "UTC"


FUNCTIONS: dict[str, ApiFunction] = {
    "now_iso_utc": ApiFunction(now_iso_utc),
    "now_iso_local": ApiFunction(now_iso_local),
    "now_iso_utc_micro": ApiFunction(now_iso_utc_micro),
    "now_iso_local_micro": ApiFunction(now_iso_local_micro),
    "now_utc_micro": ApiFunction(now_utc_micro),
    "today_utc": ApiFunction(lambda host: _today(False, True)),
    "today_local": ApiFunction(lambda host: _today(True, True)),
    "today_iso_utc": ApiFunction(lambda host: _today(False, False)),
    "today_iso_local": ApiFunction(lambda host: _today(True, False)),
    "weekday_utc": ApiFunction(lambda host: _WEEKDAYS[_now(False).weekday()]),
    "weekday_local": ApiFunction(lambda host: _WEEKDAYS[_now(True).weekday()]),
    "local_tz_id": ApiFunction(local_tz_id),
}
