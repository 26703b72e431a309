"""Extract per-version facts of aip (and the genai it pins) from the published crates.

Entry point: `scripts/extract_aip_facts.py`. Modules:
    crates.py    locate a published crate (cargo's caches, our download cache, crates.io) and read it
    rust.py      tree-sitter-rust helpers: parsing, string literals, attributes, simple macro expansion
    routing.py   genai's `AdapterKind::from_model` -> a JSON rule chain; namespaces; model lists; genai's own examples
    cli_args.py  the clap derive structs of every `aip` subcommand
    lua_api.py   the `aip.*` module tables (names registered by each `init_module`)
    headings.py  the agent-format headings `agent_doc.rs` / `prompt_part.rs` recognise
    generate.py  one version -> the files under `aipack_compat/data/aip/<version>/`

A fact that does not have the expected shape raises `ExtractionError` naming it; nothing falls back.
"""


class ExtractionError(Exception):
    """A fact could not be extracted mechanically; the message names the fact, the crate and the file."""
