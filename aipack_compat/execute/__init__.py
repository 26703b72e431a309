"""execute: job configs -> run records, asynchronously, against Ollama's API.

session (load + run a JobConfig), runner (cells, bounded workers), context (what one run shares:
RunSettings, RunContext), flow (the stage sequence),
wire (request bodies per wire mode and aip era), client/transport/direct (HTTP), pool, retry,
errors, journal (append-only, fsync'ed), cache, inputs (-f/-i as aip builds them), subagent
(`aip.agent.run`), outputs, progress.
"""
