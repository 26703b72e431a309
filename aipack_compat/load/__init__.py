"""load: bytes on disk -> parsed documents with source spans. Never raises on bad input.

discovery (which files are AIPACK files), workspace (which workspace and config files a run
reads, per era), toml_spans (TOML + key/value locations), agent + agent_lexer_rules (aip's line
lexer per era), agent_ref (agent reference resolution per era), scripts/ (the `aip run` scanner
that parses and never executes: one front-end per kind of file).
"""
