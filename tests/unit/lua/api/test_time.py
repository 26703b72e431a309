"""aip.time.*: ISO formats, eras."""

from __future__ import annotations

import re
from typing import Any, Callable

Eval = Callable[..., Any]


def test_time_formats(lua_eval: Eval) -> None:
    result = lua_eval(
        "return {aip.time.now_iso_utc(), aip.time.now_iso_local_micro(), aip.time.now_utc_micro(), aip.time.today_utc(),"
        " aip.time.today_iso_local(), aip.time.weekday_local(), aip.time.local_tz_id()}"
    )
    iso_utc, local_micro, micro, today, today_iso, weekday, tz_id = result
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", iso_utc)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)", local_micro)
    assert isinstance(micro, int) and micro > 1_700_000_000_000_000
    assert re.fullmatch(r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d{4}-\d\d-\d\d", today)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", today_iso) and weekday.endswith("day") and tz_id
    assert lua_eval("return {aip.time.now_iso_utc ~= nil, aip.time.weekday_local == nil}", aip_version="0.8.0") == [True, True]
