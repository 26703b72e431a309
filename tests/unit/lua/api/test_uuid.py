"""aip.uuid.*: generators, encodings, timestamps."""

from __future__ import annotations

import re
from typing import Any, Callable

Eval = Callable[..., Any]


def test_uuid_generators_and_timestamps(lua_eval: Eval) -> None:
    result = lua_eval(
        "local v7 = aip.uuid.new_v7() return {aip.uuid.new(), v7, aip.uuid.to_time_epoch_ms(v7), aip.uuid.new_v4_b64(),"
        " aip.uuid.new_v7_b64u(), aip.uuid.new_v4_b58(),"
        ' aip.uuid.to_time_epoch_ms("01a20efd-fb72-7415-bfac-527372300d00"),'
        ' aip.uuid.to_time_epoch_ms("c232ab00-9414-11ec-b3c8-9f6bdeced846"),'
        ' tostring(aip.uuid.to_time_epoch_ms("6609515f-ef67-4a0c-bbc7-5555fcd5959d")), tostring(aip.uuid.to_time_epoch_ms("x"))}'
    )
    v4, v7, v7_ms, v4_b64, v7_b64u, v4_b58, fixed_v7, fixed_v1, none_v4, none_bad = result
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", v4)
    assert v7[14] == "7" and v7_ms == int(v7.replace("-", "")[:12], 16)
    assert len(v4_b64) == 24 and v4_b64.endswith("==") and len(v7_b64u) == 22 and 20 <= len(v4_b58) <= 22
    # values checked against aip 0.8.37
    assert (fixed_v7, fixed_v1, none_v4, none_bad) == (1795547855730, 1645557742000, "nil", "nil")
