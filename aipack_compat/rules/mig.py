"""MIG: what `migrate` could not carry over into the job config unchanged (migrate/to_job.py)."""

from aipack_compat.model.diagnostic import Severity
from aipack_compat.rules import Rule

JOB_NOT_MIGRATED = Rule(
    "MIG001",
    "job-not-migrated",
    "An `aip run` found in a script did not become a job.",
    Severity.WARNING,
    "What it does: reports invocations whose agent is missing, dynamic or cannot be found. "
    "Why: a job needs a concrete agent; guessing would run something the script never ran. "
    "Example: `aip run \"$AGENT\"` where AGENT comes from the environment; add the job by hand.",
)
FLAG_DROPPED = Rule(
    "MIG002",
    "run-flag-dropped",
    "An `aip run` option has no meaning for the executor and was dropped.",
    Severity.INFO,
    "What it does: lists terminal-only options (`-o/--open`, `--xp-tui`, `--old-term`, `--not-interactive`). "
    "Why: they change the UI, not what is sent to the model. Example: `aip run x -s --old-term`.",
)
DYNAMIC_DROPPED = Rule(
    "MIG003",
    "dynamic-value-dropped",
    "A value of the script (loop values, output path, env, directory) is only known at run time and was left out.",
    Severity.WARNING,
    "What it does: reports each value the scanner could not resolve, with its location. Why: values are "
    "never guessed; the job is written without them. Example: `for m in $(ollama list | cut -f1)`; "
    "write the model list into the job's matrix.",
)
REWRITE_NOT_MIGRATED = Rule(
    "MIG004",
    "config-rewrite-not-migrated",
    "A config rewrite of the script could not be turned into option overrides.",
    Severity.WARNING,
    "What it does: reports rewrites whose new content is unknown (`envsubst`, Python edits), whose sed script "
    "uses commands other than `s`, or whose source file is missing. Why: the per-model options cannot be "
    "derived. Example: `yq -i '.options.model = env(M)' .aipack/config.toml`.",
)
LEGACY_CONFIG_CONVERTED = Rule(
    "MIG005",
    "legacy-config-converted",
    "A legacy config shape (`[genai]`, `[runtime]`, `[default_options]`) was converted to options.",
    Severity.INFO,
    "What it does: records each key read from a legacy table and its current name. Why: aip 0.7.10+ ignores "
    "`[genai]`/`[runtime]` silently, so the values only survive through migration. "
    "Example: `[genai] model = \"gemma2\"` becomes `options.model`; `items_concurrency` becomes `input_concurrency`.",
)
STAGE_NOT_MIGRATED = Rule(
    "MIG006",
    "agent-stage-not-migrated",
    "An agent stage written in Rhai (devai 0.0.x – 0.1.0) cannot run in the Lua executor.",
    Severity.WARNING,
    "What it does: lists Rhai stages left out of the agent spec. Why: only Lua stages are executed. "
    "Example: a ```rhai block under `# Data`; port it to Lua.",
)
AGENT_NOT_READ = Rule(
    "MIG007",
    "agent-not-read",
    "An agent file used by a job could not be read or parsed.",
    Severity.ERROR,
    "What it does: reports agents that are unreadable or whose `# Options` are invalid. "
    "Why: the job cannot carry its prompt parts and stages. Example: an agent saved as Latin-1.",
)
CONFIG_NOT_READ = Rule(
    "MIG008",
    "config-not-read",
    "The workspace config could not be read, so its options are missing from the job config.",
    Severity.ERROR,
    "What it does: reports a config aip itself would refuse (syntax error, wrong types, `[default-options]`). "
    "Why: options would silently fall back to defaults. Example: `model = 3`.",
)

RULES = (JOB_NOT_MIGRATED, FLAG_DROPPED, DYNAMIC_DROPPED, REWRITE_NOT_MIGRATED, LEGACY_CONFIG_CONVERTED,
         STAGE_NOT_MIGRATED, AGENT_NOT_READ, CONFIG_NOT_READ)
