"""load: bytes on disk -> parsed documents with source spans. Never raises on bad input.

workspace (discovery), toml_spans (TOML + key/value locations), agent (aip's line lexer per era),
agent_ref (agent reference resolution per era), scripts (+ shell_*, makefile, ci_yaml,
python_calls, sed_script: the `aip run` scanner that parses and never executes).
"""
