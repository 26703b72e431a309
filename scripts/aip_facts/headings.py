"""The `# Heading` names of the agent format, from `src/agent/agent_doc.rs` and `get_prompt_part_kind`.

Two chains say them: the section chain in `AgentDoc::into_agent_inner` (`if header == "options" {
capture_mode = CaptureMode::OptionsSection } else if ...`) and `get_prompt_part_kind` (`header == "inst" ||
header == "instruction"` -> `Some(PartKind::Instruction)`). Both are read as written; the normalisation before
them (`line[1..].trim().to_lowercase()`, the backtick split of prompt-part options) is recorded as source text,
so a change shows up in the data even though it is code, not a table.
"""

from __future__ import annotations

import re
from typing import Any

from aip_facts import ExtractionError
from aip_facts import rust
from aip_facts.crates import Crate

AGENT_DOC = "src/agent/agent_doc.rs"


def extract(crate: Crate) -> dict[str, Any]:
    fact = f"agent headings ({crate.name} {crate.version})"
    doc_root = rust.parse(crate.text(AGENT_DOC, fact))
    sections, section_normalise = _section_chain(doc_root, fact)
    prompt_path, prompt_function = _prompt_part_function(crate, fact)
    parts = _equality_chain(prompt_function, r"Some\(PartKind::(\w+)\)", fact)
    before_chain = [rust.text(statement) for statement in prompt_function.child_by_field_name("body").named_children
                    if statement.type == "let_declaration"]
    return {
        "prompt_parts": parts,
        "prompt_part_normalise": before_chain,
        "prompt_part_source": prompt_path,
        "section_normalise": section_normalise,
        "sections": sections,
    }


def _section_chain(root: rust.Node, fact: str) -> tuple[dict[str, str], str]:
    """The if-chain comparing the lower-cased heading text and setting `capture_mode = CaptureMode::X`."""
    for node in rust.walk(root):
        if node.type != "if_expression" or not re.search(r'^\w+\s*==\s*"', rust.text(node.child_by_field_name(
                "condition"))):
            continue
        if "CaptureMode::" not in rust.text(node.child_by_field_name("consequence")):
            continue
        variable = rust.text(node.child_by_field_name("condition")).split("==")[0].strip()
        sections = _chain_entries(node, variable, r"CaptureMode::(\w+)", fact)
        return sections, _binding_text(root, node, variable, fact)
    raise ExtractionError(f"{fact}: no `if header == \"...\" {{ capture_mode = CaptureMode::X }}` chain")


def _binding_text(root: rust.Node, chain: rust.Node, variable: str, fact: str) -> str:
    """The `let header = line[1..].trim().to_lowercase();` the chain compares (nearest one before it)."""
    best = None
    for node in rust.walk(root):
        if node.type == "let_declaration" and rust.text(node.child_by_field_name("pattern")) == variable \
                and node.start_byte < chain.start_byte:
            best = node
    if best is None:
        raise ExtractionError(f"{fact}: the heading variable `{variable}` is not bound before the section chain")
    return rust.text(best.child_by_field_name("value"))


def _prompt_part_function(crate: Crate, fact: str) -> tuple[str, rust.Node]:
    found = [(path, function) for path in crate.under("src/agent/") if path.endswith(".rs")
             for function in rust.functions(rust.parse(crate.read(path, fact)), "get_prompt_part_kind")]
    if len(found) != 1:
        raise ExtractionError(f"{fact}: expected one `fn get_prompt_part_kind` under src/agent/, found {len(found)}")
    return found[0]


def _equality_chain(function: rust.Node, outcome: str, fact: str) -> dict[str, str]:
    chains = [node for node in rust.walk(function) if node.type == "if_expression"
              and node.parent is not None and node.parent.type != "else_clause"]
    if len(chains) != 1:
        raise ExtractionError(f"{fact}: get_prompt_part_kind does not hold one if/else chain")
    variable = rust.text(chains[0].child_by_field_name("condition")).split("==")[0].strip()
    return _chain_entries(chains[0], variable, outcome, fact)


def _chain_entries(node: rust.Node, variable: str, outcome: str, fact: str) -> dict[str, str]:
    """Branches comparing `variable`; others (`else if let Some(kind) = get_prompt_part_kind(..)`, `else if
    capture_mode.is_prompt_part()`) are not heading names, unless they read `variable` some other way (fails)."""
    entries: dict[str, str] = {}
    while node is not None and node.type == "if_expression":
        condition = node.child_by_field_name("condition")
        consequence = rust.text(node.child_by_field_name("consequence"))
        target = re.search(outcome, consequence)
        reads_heading = any(n.type == "identifier" and rust.text(n) == variable for n in rust.walk(condition))
        if condition.type == "let_condition" or not reads_heading:
            pass
        elif target is None:
            raise ExtractionError(f"{fact}: heading branch `{rust.text(condition)}` sets no `{outcome}`")
        else:
            for literal in _compared_literals(condition, fact):
                entries[literal] = target.group(1)
        alternative = node.child_by_field_name("alternative")
        node = alternative.named_children[-1] if alternative is not None else None
    return dict(sorted(entries.items()))


def _compared_literals(condition: rust.Node, fact: str) -> list[str]:
    """`h == "a" || h == "b"` -> ["a", "b"]; anything else fails."""
    if condition.type == "parenthesized_expression":
        return _compared_literals(condition.named_children[0], fact)
    if condition.type == "binary_expression":
        operator = rust.text(condition.child_by_field_name("operator"))
        left, right = condition.child_by_field_name("left"), condition.child_by_field_name("right")
        if operator == "||":
            return _compared_literals(left, fact) + _compared_literals(right, fact)
        if operator == "==" and right.type == "string_literal":
            return [rust.string_value(right)]
    raise ExtractionError(f"{fact}: heading condition `{rust.text(condition)}` is not `h == \"...\"`")
