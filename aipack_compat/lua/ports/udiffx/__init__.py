"""A port of the udiffx crate behind `aip.udiffx` (and `FILE_CHANGES` handling): `tags` extracts
the envelope and its directives per era, `line_match` holds the tolerant line matchers and hunk
splitting, `hunks` locates and applies one hunk, `prompt` is our wording of the instructions.

Hand-written: udiffx is a Rust crate without a Python binding, and its tolerance rules (the
tiers, tilde anchors, wrapper lines) are its own, so no Python diff library applies a patch as
it does.
"""
