"""SH: what the script scanner finds around `aip run` / `devai run` calls (check/scripts.py)."""

from aipack_compat.model.diagnostic import Severity
from aipack_compat.rules import Rule

SCRIPT_SYNTAX = Rule(
    "SH001",
    "script-syntax-error",
    "Part of a script (shell, Makefile recipe, CI YAML, Python) cannot be parsed.",
    Severity.WARNING,
    "What it does: reports the location where the parser (tree-sitter-bash, PyYAML, Python `ast`) gave up. "
    "Why: invocations after a syntax error may be missed or misread; the rest of the file is still scanned "
    "and its results kept. Example: an unterminated quote `aip run x -i \"oops`.",
)
AGENT_NOT_FOUND = Rule(
    "SH002",
    "run-agent-not-found",
    "`aip run` names an agent that does not resolve to a file.",
    Severity.ERROR,
    "What it does: resolves the agent argument the way the era in use does (local path, `.aip`/`main.aip`, "
    "pack ref `ns@name/sub`, devai names), from the directory the command runs in (spec §4.3). "
    "Why: aip prints `No agent found for local path` and, with no exit status to tell, the script "
    "carries on with empty outputs (spec §4.5). Example: `aip run flows/eval` when only `flow/eval.aip` exists.",
)
UNKNOWN_RUN_FLAG = Rule(
    "SH003",
    "unknown-run-flag",
    "`aip run` is given an option that no aip/devai version has.",
    Severity.ERROR,
    "What it does: compares each option with the `run` flags of every release (spec §4.2). "
    "Why: clap rejects unknown options with a usage error, so nothing runs. "
    "Example: `aip run agent --model gemma3` (there is no model flag; rewrite the config or use a job matrix).",
)
FLAG_NOT_IN_ERA = Rule(
    "SH004",
    "run-flag-not-in-era",
    "An `aip run` option exists, but not in the version (era) this workspace uses.",
    Severity.WARNING,
    "What it does: checks when each flag was added or removed: `-i` and `--dry` since 0.5.0, "
    "`--not-interactive` only 0.5.10 – 0.6.18, `-s/--single-shot` since 0.7.0, `--xp-tui` 0.7.15 – 0.7.20 "
    "(ignored later), `--old-term` since 0.8.0 (spec §4.2). Why: a removed flag is a usage error, a flag from "
    "a later version does not parse on the old binary. Example: `aip run x --not-interactive` on aip 0.7+; use `-s`.",
)
REWRITE_MATCHES_NOTHING = Rule(
    "SH005",
    "config-rewrite-matches-nothing",
    "A `sed -i` config rewrite has a pattern that matches no line of the config it targets.",
    Severity.ERROR,
    "What it does: applies the sed pattern to the current config file. Why: sed succeeds silently, so every "
    "run of the model loop uses the same (unchanged) model and the comparison is meaningless. "
    "Example: `sed -i 's/^model = .*/…/'` against a config whose line is indented or lives under `[genai]`.",
)
REWRITE_NOT_RESTORED = Rule(
    "SH006",
    "config-rewrite-not-restored",
    "A script rewrites a config file (often in a loop) and never puts the original back.",
    Severity.WARNING,
    "What it does: looks for `mv cfg.bak cfg`, `cp cfg.bak cfg`, `git checkout/restore cfg` or a `trap` "
    "doing so after a `sed -i`/here-doc/`cp` rewrite. Why: the workspace is left on the last model of the "
    "loop, and later runs (and teammates) silently use it. Example: `sed -i.bak …` with no restore of the `.bak`.",
)
DYNAMIC_VALUE = Rule(
    "SH007",
    "run-argument-dynamic",
    "Part of an `aip run` call (agent, input, output path, loop values, directory) is only known at run time.",
    Severity.INFO,
    "What it does: lists values that depend on the environment, command output or user input "
    "(`$HOME`, `$(ls …)`, `read`). Why: they cannot be migrated statically and are never guessed; "
    "set them explicitly in the migrated job config. A `while read` loop over a workspace file, a here-doc or a "
    "here-string (with the usual blank/`#` skips) is read statically and is not reported. "
    "Example: `for m in $(ollama list | cut -f1)`, or `while read m; do …; done < \"$HOME/models.txt\"`.",
)
FILES_AND_INPUTS = Rule(
    "SH008",
    "run-files-and-inputs",
    "`aip run` is given both `-f` and `-i`.",
    Severity.ERROR,
    "What it does: flags the combination aip refuses with `Cannot use both --on-inputs and --on-files` "
    "(spec §3.8). Why: the run fails before any task. Example: `aip run x -f '*.md' -i hello`.",
)
MISSING_AGENT = Rule(
    "SH009",
    "run-agent-missing",
    "`aip run` has no agent argument.",
    Severity.ERROR,
    "What it does: reports `aip run` calls whose only arguments are options. Why: clap requires the agent "
    "argument, so the call is a usage error. Example: `aip run -s`.",
)
INTERACTIVE_RUN = Rule(
    "SH010",
    "run-interactive-in-script",
    "`aip run` in a script without `-s` (or `--not-interactive` on older versions) waits for the terminal.",
    Severity.WARNING,
    "What it does: flags non-single-shot runs in scripts, Makefiles, CI and Python. Why: without `-s`, aip "
    "0.8+ starts its full-screen TUI and earlier versions wait for keys (`r`/`a`/`q`), so a batch job hangs "
    "until killed (spec §4.2). Example: `timeout 90s aip run eval.aip > out.txt`; add `-s`.",
)
DEVAI_BINARY = Rule(
    "SH011",
    "devai-binary-in-aip-workspace",
    "A script calls `devai run` in a workspace that uses `.aipack/` (aip 0.6+).",
    Severity.WARNING,
    "What it does: compares the binary with the workspace layout. Why: `devai` never reads `.aipack/` and aip "
    "never reads `.devai/` (spec §1.1), so the config the script prepares is not the one used. "
    "Example: `devai run proof-comments` next to `.aipack/config.toml`.",
)

UNQUOTED_FILE_GLOB = Rule(
    "SH012",
    "run-files-glob-unquoted",
    "An `aip run -f` glob is not quoted, so the shell expands it before aip sees it.",
    Severity.WARNING,
    "What it does: finds `-f prompts/*.md` written without quotes in shell, Makefile and CI commands, and "
    "counts the files it matches in the workspace. Why: bash replaces the glob with the file names; clap "
    "takes one value per `-f`, so with two or more files aip stops with `unexpected argument` and runs "
    "nothing, and with one file only that file runs (aip's own glob would pick up files added later). "
    "Example: `aip run eval -s -f prompts/*.md`; write `-f \"prompts/*.md\"`.",
)

RUN_IN_UNREAD_FILE = Rule(
    "SH013",
    "run-in-unread-file",
    "A file calls `aip run` in a language aipack-compat does not read (PowerShell, batch, fish, Dockerfile…).",
    Severity.WARNING,
    "What it does: finds `aip run`/`devai run` in PowerShell, batch, fish, Nushell and xonsh scripts, "
    "Dockerfiles and cargo-make files, which no front-end parses. Why: those runs are neither checked "
    "nor migrated, and migrate lists them as not migrated rather than dropping them silently. "
    "Example: `foreach ($m in $models) { aip run eval -s }` in eval.ps1; port the loop to a shell "
    "script or write the job by hand.",
)

RULES = (SCRIPT_SYNTAX, AGENT_NOT_FOUND, UNKNOWN_RUN_FLAG, FLAG_NOT_IN_ERA, REWRITE_MATCHES_NOTHING,
         REWRITE_NOT_RESTORED, DYNAMIC_VALUE, FILES_AND_INPUTS, MISSING_AGENT, INTERACTIVE_RUN, DEVAI_BINARY,
         UNQUOTED_FILE_GLOB, RUN_IN_UNREAD_FILE)
