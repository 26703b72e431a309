"""aip.md.* (`A:src/script/aip_modules/aip_md.rs@952ad06e`, `A:src/support/md/*.rs@952ad06e`)."""

from __future__ import annotations

import json as _json
import re
from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, Multi, expect_string, option_string
from aipack_compat.lua.api.text import text_lines


def _fence_state(state: int, line: str) -> int:
    """`InBlockState::compute_new` (0.6.2+): 0 = out, 3 = in a 3-backtick block, 4 = in a 4-backtick block."""
    if state == 0:
        if line.startswith("````"):
            return 4
        if line.startswith("```"):
            return 3
        return 0
    if state == 3:
        return 0 if line.startswith("```") and not line.startswith("````") else 3
    return 0 if line.startswith("````") else 4


def iter_blocks(content: str, lang_filter: str | None, extrude: bool) -> tuple[list[dict[str, Any]], str]:
    """`MdBlockIter`: fenced blocks (optionally of one lang) and, when extruding, the rest."""
    blocks: list[dict[str, Any]] = []
    extruded: list[str] = []
    state = 0
    lang: str = ""
    captured: list[str] | None = None
    for line in text_lines(content):
        previous, state = state, _fence_state(state, line)
        if previous == 0 and state != 0:
            lang = line[4:].strip() if state == 4 else line[3:].strip()
            if lang_filter is None or lang_filter == lang:
                captured = []
            else:
                captured = None
                if extrude:
                    extruded.append(line + "\n")
            continue
        if previous != 0 and state == 0:
            if captured is not None:
                blocks.append({"_type": "MdBlock", "lang": lang, "content": "".join(captured)})
                captured = None
            elif extrude:
                extruded.append(line + "\n")
            continue
        if state != 0 and captured is not None:
            captured.append(line + "\n")
        elif extrude:
            extruded.append(line + "\n")
    return blocks, "".join(extruded)


def extract_blocks(host: ApiHost, content: Any, options: Any = None) -> Any:
    content = expect_string(content, "aip.md.extract_blocks", "md_content")
    lang: str | None = None
    extrude = False
    if isinstance(options, str):
        lang = options
    elif isinstance(options, dict):
        if options.get("lang") is not None:
            if not isinstance(options["lang"], str):
                raise ApiError("md_extract_blocks lang options must be of type string")
            lang = options["lang"]
        extrude_value = options.get("extrude")
        if extrude_value is not None and extrude_value != "content":
            raise ApiError(f"Extrude value '{extrude_value}' not supported (only 'content')")
        extrude = extrude_value == "content"
    blocks, extruded = iter_blocks(content, lang, extrude)
    return Multi((blocks, extruded)) if extrude else blocks


def _meta_blocks_and_content(content: str) -> tuple[list[tuple[str | None, str]], str]:
    """Port of `extract_md_blocks_and_content(content, extrude=true)` (`md_meta_extractor.rs`), quirks kept."""
    kept: list[str] = []
    meta_blocks: list[tuple[str | None, str]] = []
    current: tuple[str | None, list[str]] | None = None
    in_block = candidate_meta = first_block_line = False
    action = "initial"
    previous_line: str | None = None
    for line in text_lines(content):
        if line.startswith("```"):
            first_block_line = False
            if in_block:
                in_block = candidate_meta = False
                action = "close"
            else:
                in_block = first_block_line = True
                candidate_meta = line[3:].strip() in ("toml", "json", "yaml", "yml")
                action = "start"
        elif in_block:
            if candidate_meta:
                if first_block_line:
                    stripped = line.strip()
                    if stripped.startswith("#!meta") or stripped.startswith("//!meta"):
                        first_block_line = False
                        action = "meta"
                    else:
                        action = "content"
            else:
                action = "content"
        else:
            action = "content"
        if action == "close":
            if current is not None:
                meta_blocks.append((current[0], "\n".join(current[1])))
                current = None
            else:
                kept.append(line)
        elif action == "content":
            if first_block_line and previous_line is not None:
                kept.append(previous_line)
                first_block_line = False
            kept.append(line)
        elif action == "meta":
            if current is not None:
                current[1].append(line)
            else:
                block_lang = previous_line[3:].strip() if previous_line and previous_line.startswith("```") else None
                current = (block_lang, [])
        previous_line = line
    return meta_blocks, "\n".join(kept)


def extract_meta(host: ApiHost, content: Any) -> Multi:
    value = option_string(content, "aip.md.extract_meta")
    if value is None:
        return Multi((None, None))
    blocks, remain = _meta_blocks_and_content(value)
    merged: dict[str, Any] = {}
    for lang, body in blocks:
        for parsed in _parse_meta(lang, body):
            if isinstance(parsed, dict):
                merged.update(parsed)
    return Multi((merged, remain))


def _parse_meta(lang: str | None, body: str) -> list[Any]:
    if lang == "toml":
        import tomllib

        try:
            return [tomllib.loads(body)]
        except tomllib.TOMLDecodeError as exc:
            raise ApiError(f"TOML parse error in meta block: {exc}") from None
    if lang == "json":
        try:
            return [_json.loads(body)]
        except ValueError as exc:
            raise ApiError(f"Cannot parse json content.\n    Error: {exc}\n    Content: {body}") from None
    if lang in ("yaml", "yml"):
        import yaml

        try:
            return [document for document in yaml.safe_load_all(body)]
        except yaml.YAMLError as exc:
            raise ApiError(f"YAML parse error in meta block: {exc}") from None
    if lang is None:
        raise ApiError("Meta block must have a compatible lang")
    raise ApiError(f"Lang '{lang}' not supported for meta block")


def outer_block_content_or_raw(host: ApiHost, content: Any) -> str:
    """`A:src/support/md/outer_block.rs@952ad06e`: content of the outermost fence, or the raw text."""
    original = expect_string(content, "aip.md.outer_block_content_or_raw", "md_content")
    trimmed = original.strip()
    if not trimmed.startswith("```"):
        return original
    lines = text_lines(trimmed)
    fences = [index for index, line in enumerate(lines) if line.startswith("```")]
    if fences and fences[0] < fences[-1]:
        return "\n".join(lines[fences[0] + 1 : fences[-1]]) + "\n"
    return trimmed


_MD_REF = re.compile(r"(!?\[)([^\]]*)\]\(([^)]+)\)")


def _ref_kind(target: str) -> str:
    """`MdRefKind::from_target` (`A:src/types/md_ref.rs@952ad06e`)."""
    if target.startswith("#"):
        return "Anchor"
    if target.startswith(("http://", "https://", "//")):
        return "Url"
    return "File"


def extract_refs(host: ApiHost, content: Any = None) -> Any:
    """`MdRefIter` (0.8.10+, `A:src/support/md/md_ref_iter.rs@952ad06e`): `[text](target)` and
    `![alt](target)` outside fenced blocks and outside inline code (odd backtick count before)."""
    content = option_string(content, "aip.md.extract_refs")
    if content is None:
        return {}  # aip returns a plain new table here (an empty object), a list otherwise
    refs: list[dict[str, Any]] = []
    state = 0
    for line in text_lines(content):
        new_state = _fence_state(state, line)
        if new_state != 0 or state != 0:
            state = new_state
            continue
        position = 0
        while (match := _MD_REF.search(line, position)) is not None:
            position = match.end()
            if line[: match.start()].count("`") % 2 == 1:
                continue
            bracket, text, target = match.groups()
            ref: dict[str, Any] = {"_type": "MdRef", "target": target}
            if text:
                ref["text"] = text
            ref["inline"] = bracket == "!["
            ref["kind"] = _ref_kind(target)
            refs.append(ref)
    return refs


FUNCTIONS: dict[str, ApiFunction] = {
    "extract_refs": ApiFunction(extract_refs),
    "extract_blocks": ApiFunction(extract_blocks),
    "extract_meta": ApiFunction(extract_meta),
    "outer_block_content_or_raw": ApiFunction(outer_block_content_or_raw),
}
