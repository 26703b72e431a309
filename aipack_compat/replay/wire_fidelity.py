"""Wire fidelity of one request pair: the exact body bytes and the header set, beyond JSON equality.

The replay's new path runs the executor in `wire: aip-compat` mode, whose promise is to send what the
aip under test sends (wire-protocol.md §6.1 items 3-8 and 22): the same body bytes (key order, compact
separators, raw UTF-8) and the same headers (`accept: */*`, `content-type`, `accept-encoding: gzip`
from aip 0.8.21, `authorization: Bearer ollama` in the /v1 era up to 0.8.16, no `user-agent`).
Ollama ignores these (§6.2), but a difference means the executor is not mimicking the era under
test, so it fails the request check. A difference that is real but unavoidable is a named
`HeaderAllowance` with its reason: it is listed in the report and never fails a case. Everything
else, including a differing value of an allowed header name, is a failure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from aipack_compat.model.report import Comparison, Exchange, FieldDifference

HeaderValues = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class HeaderAllowance:
    """A documented, tested header difference that does not fail a case."""

    name: str
    reason: str
    applies: Callable[[str, str | None, str | None], bool]
    """(header name, old value, new value) -> whether this allowance covers the difference."""


HEADER_ALLOWANCES: tuple[HeaderAllowance, ...] = (
    HeaderAllowance(
        "host-names-the-dialled-address",
        "`host` names the address each client dialled: aip always dials the hard-coded localhost:11434 "
        "(wire-protocol.md §3.1), the new path dials the recording proxy; both reach the same Ollama",
        lambda name, old, new: name == "host" and old is not None and new is not None,
    ),
    HeaderAllowance(
        "content-length-follows-the-body",
        "`content-length` is derived from the body, whose bytes are compared on their own (a missing "
        "one, i.e. a chunked upload, still fails: aip never sends one, §6.1 item 5)",
        lambda name, old, new: name == "content-length" and old is not None and new is not None,
    ),
)
"""Only what cannot be equal by construction. Header order and name case are not compared at all
(Ollama's HTTP stack ignores them, §6.2); every other name and value must match exactly."""


def header_table(exchange: Exchange) -> dict[str, str]:
    """Header name -> value; repeated names are joined with `, ` as RFC 9110 §5.3 allows."""
    table: dict[str, list[str]] = {}
    for name, value in exchange.request_headers:
        table.setdefault(name.lower(), []).append(value)
    return {name: ", ".join(values) for name, values in table.items()}


def header_differences(old: Exchange, new: Exchange) -> tuple[list[FieldDifference], list[Comparison]]:
    """Differences not covered by an allowance, and one passed component per allowance used."""
    old_headers, new_headers = header_table(old), header_table(new)
    failing: list[FieldDifference] = []
    allowed: dict[str, list[FieldDifference]] = {}
    for name in list(old_headers) + [n for n in new_headers if n not in old_headers]:
        values: HeaderValues = (old_headers.get(name), new_headers.get(name))
        if values[0] == values[1]:
            continue
        difference = FieldDifference(field=f"(header).{name}", old=_quoted(values[0]), new=_quoted(values[1]))
        allowance = next((a for a in HEADER_ALLOWANCES if a.applies(name, *values)), None)
        if allowance is None:
            failing.append(difference)
        else:
            allowed.setdefault(allowance.name, []).append(difference)
    reasons = {allowance.name: allowance.reason for allowance in HEADER_ALLOWANCES}
    used = [
        Comparison(name=f"allowance:{name}", passed=True, reason=reasons[name], differences=differences)
        for name, differences in allowed.items()
    ]
    return failing, used


def _quoted(value: str | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _key_paths(value: object, at: str = "") -> list[str]:
    """Every object key with its path, in the order the body lists them."""
    if isinstance(value, dict):
        found: list[str] = []
        for key, item in value.items():
            where = f"{at}.{key}" if at else str(key)
            found += [where, *_key_paths(item, where)]
        return found
    if isinstance(value, list):
        return [path for index, item in enumerate(value) for path in _key_paths(item, f"{at}[{index}]")]
    return []


def body_byte_difference(old_body: str, new_body: str) -> FieldDifference | None:
    """None when the bodies are byte-identical; else why not, with the first differing stretch.

    Callers only ask for JSON-equal bodies, so the difference is key order or encoding: spacing,
    `\\uXXXX` vs raw UTF-8, or a number's form (`0` vs `0.0`, Rust `1e-7` vs Python `1e-07`, §6.1 item 14).
    """
    if old_body == new_body:
        return None
    try:
        old_keys, new_keys = _key_paths(json.loads(old_body)), _key_paths(json.loads(new_body))
    except ValueError:
        old_keys = new_keys = []
    if old_keys != new_keys and sorted(old_keys) == sorted(new_keys):
        return FieldDifference(field="(body bytes: key order)", old=_key_order(old_keys), new=_key_order(new_keys))
    start = next((i for i, (a, b) in enumerate(zip(old_body, new_body)) if a != b), min(len(old_body), len(new_body)))
    window = slice(max(0, start - 20), start + 40)
    return FieldDifference(field=f"(body bytes: encoding at offset {start})", old=json.dumps(old_body[window]), new=json.dumps(new_body[window]))


def _key_order(paths: list[str]) -> str:
    """The top-level keys and the first message's keys, which is where aip's eras differ (§6.1 item 22)."""
    top = [p for p in paths if "." not in p and "[" not in p]
    first_message = [p.rsplit(".", 1)[1] for p in paths if p.startswith("messages[0].") and p.count(".") == 1]
    shown = ", ".join(top)
    return shown + (f"; messages[0]: {', '.join(first_message)}" if first_message else "")


def compare_wire(old: Exchange, new: Exchange, *, bodies_json_equal: bool = True) -> Comparison:
    """Headers (always) and body bytes (when the bodies are JSON-equal; otherwise the JSON differences
    already say what differs), with the allowances that applied."""
    failing, allowances = header_differences(old, new)
    byte_difference = body_byte_difference(old.request_body, new.request_body) if bodies_json_equal else None
    if byte_difference is not None:
        failing.insert(0, byte_difference)
    allowed = f" (allowed: {', '.join(c.name.split(':', 1)[1] for c in allowances)})" if allowances else ""
    if failing:
        fields = ", ".join(d.field for d in failing[:6]) + (" …" if len(failing) > 6 else "")
        reason = f"{'JSON-equal but ' if bodies_json_equal else ''}not what aip sent on the wire: {fields}{allowed}"
    elif bodies_json_equal:
        reason = f"body bytes identical; headers identical{allowed}"
    else:
        reason = f"headers identical{allowed}"
    return Comparison(name="wire", passed=not failing, reason=reason, differences=failing, components=allowances)
