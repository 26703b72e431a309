"""CFG: AIPACK config files (`config-default.toml`, `config-user.toml`, `.aipack/config.toml`,
legacy `.devai/config.toml`), the merged (effective) options, and model resolution.

Behaviours cited from aipack-spec §1, §2 and §6 (cases are numbered there).
"""

from aipack_compat.model.diagnostic import Severity
from aipack_compat.rules import Rule

TOML_SYNTAX = Rule(
    "CFG001",
    "toml-syntax-error",
    "The config file is not valid TOML.",
    Severity.ERROR,
    "What it does: parses the file as TOML 1.0 and reports the first syntax error with its line and column. "
    "Why: aip prints the bare `toml` parser message without the file path (spec §6 case 10, "
    "`A:src/agent/agent_locator.rs@952ad06e`), so the broken file is hard to find. "
    'Example: `model = "gpt-5` (unterminated string).',
)
DUPLICATE_KEY = Rule(
    "CFG002",
    "duplicate-key",
    "A key or table is defined twice in the same TOML document.",
    Severity.ERROR,
    "What it does: points at both definitions of a key or `[table]`. "
    "Why: TOML forbids redefinition and aip fails to load the file; in an agent, two `# Options` sections "
    "are concatenated (spec §3.2) and can produce this. "
    "Example: `[options]` twice, or `model = ...` twice under `[options]`.",
)
WRONG_TYPE = Rule(
    "CFG003",
    "wrong-option-type",
    "A known option has the wrong TOML type; aip refuses to load the config.",
    Severity.ERROR,
    "What it does: type-checks `model` (string), `temperature`/`top_p` (float, an integer is accepted), "
    "`input_concurrency` (non-negative integer), `allow_run_on_task_fail` (bool) and `model_aliases` "
    "(table of strings). "
    "Why: aip deserializes these with serde; a wrong type is fatal: `Config invalid (config path: …)` with the "
    "serde reason (spec §1.6, §6 case 9). "
    "Example: `input_concurrency = 2.0`, `input_concurrency = \"4\"`, `model = 1`, `model_aliases = { a = 1 }`.",
)
UNKNOWN_OPTION = Rule(
    "CFG004",
    "unknown-option-key",
    "A key inside `[options]`/`[default_options]`/`# Options` is not an aip option; aip ignores it silently.",
    Severity.WARNING,
    "What it does: flags keys that `AgentOptions` does not know and suggests the closest known key. "
    "Why: aip deserializes options without `deny_unknown_fields`, so a misspelt key is dropped with no message "
    "and the setting silently does nothing (spec §1.6, §6 case 8). "
    "Example: `input-concurrency = 4` (did you mean `input_concurrency`?), `max_tokens = 100`.",
)
HYPHENATED_DEFAULT_OPTIONS = Rule(
    "CFG005",
    "hyphenated-default-options",
    "The file has a `[default-options]` table; aip (0.5.10+) refuses to load it.",
    Severity.ERROR,
    "What it does: reports `[default-options]` with aip's own reason text. "
    "Why: aip checks `/default-options` before anything else and fails with "
    "`Config [default-options] is invalid. Use [options] (with _ and not -)` (0.7.10+; 0.5.10 – 0.7.9 say "
    "`Use [default_options]`), even when a valid `[options]` is present (spec §1.5, §6 case 1). "
    "Example: `[default-options]` → rename it `[options]`.",
)
SHADOWED_DEFAULT_OPTIONS = Rule(
    "CFG006",
    "default-options-shadowed",
    "The file has both `[options]` and `[default_options]`; `[default_options]` is ignored entirely.",
    Severity.WARNING,
    "What it does: reports the ignored `[default_options]` table. "
    "Why: aip reads `/options` if present, otherwise `/default_options`; the two tables are never merged, so "
    "every key in `[default_options]` is lost (spec §1.3, §6 case 2). "
    "Example: `[options] model = \"a\"` plus `[default_options] temperature = 0` → temperature is unset.",
)
LEGACY_TABLES = Rule(
    "CFG007",
    "legacy-genai-runtime",
    "Legacy `[genai]`/`[runtime]` tables: ignored by aip 0.7.10+, read only by devai and old aip.",
    Severity.WARNING,
    "What it does: reports `[genai]`/`[runtime]` and shows the `[options]` equivalent. "
    "Why: `[genai] model`/`temperature` and `[runtime] input_concurrency` were read natively up to 0.5.9 and "
    "as a fallback (with a `==== WARNING`) from 0.5.10 to 0.7.9; from 0.7.10 the file contributes nothing. "
    "`[runtime] items_concurrency` has been ignored since 0.5.0 (spec §1.5, §6 cases 5–7). "
    "Example: `[genai] model = \"gemma2\"` → `[options] model = \"gemma2\"`.",
)
TOP_LEVEL_OPTION = Rule(
    "CFG008",
    "top-level-option-ignored",
    "An option key or `[model_aliases]` sits at the top level of a config file, where aip ignores it.",
    Severity.WARNING,
    "What it does: flags `model = …`, `input_concurrency = …` or a `[model_aliases]` table outside `[options]`. "
    "Why: aip only reads `/options` and `/default_options`; everything else at the top level is dropped silently "
    "(spec §1.6, §6 cases 3–4; the HEAD README example with a top-level `[model_aliases]` is a doc bug). "
    "Example: `[model_aliases]` → `[options.model_aliases]`.",
)
UNKNOWN_TOP_LEVEL = Rule(
    "CFG009",
    "unknown-top-level-key",
    "A top-level table or key that aip does not read.",
    Severity.WARNING,
    "What it does: flags top-level names other than `options`, `default_options` and the legacy tables, "
    "with a suggestion when the name looks like a misspelling. "
    "Why: aip ignores them silently, so `[option]` or `[Options]` configure nothing (spec §1.6). "
    "Example: `[option]` (did you mean `[options]`?).",
)
ALIAS_CHAIN = Rule(
    "CFG010",
    "alias-to-alias",
    "A model alias points to another alias; aip does not chain aliases.",
    Severity.WARNING,
    "What it does: flags an alias whose value is itself an alias name in the merged alias table. "
    "Why: resolution is single-level, so the literal alias name is sent to genai, which routes an unknown name "
    "to local Ollama (spec §2.1, §6 case 16). "
    "Example: `a = \"b\"`, `b = \"gpt-5\"`, model `a` → model `b` on Ollama.",
)
NON_OLLAMA_PROVIDER = Rule(
    "CFG011",
    "non-ollama-provider",
    "The effective model routes to a hosted provider, not to local Ollama.",
    Severity.WARNING,
    "What it does: resolves the merged model like aip/genai and reports which provider and API key it needs. "
    "Why: this toolchain executes against local Ollama; a hosted model needs `<PROVIDER>_API_KEY` at request "
    "time (aip does not check it at startup, spec §2.5, §6 case 21). "
    "Example: `model = \"gpt-5-mini\"` → OpenAI (OpenAIResp), needs OPENAI_API_KEY.",
)
MISSING_MODEL = Rule(
    "CFG012",
    "missing-model",
    "No layer sets `model`; aip refuses to load the agent.",
    Severity.ERROR,
    "What it does: merges the config layers (and the agent `# Options`) and checks that a model is set. "
    "Why: aip fails at load time with `Model is missing for agent path: <path>`, even for Lua-only agents "
    "(spec §1.7, §6 cases 3 and 14). "
    "Example: a workspace config with only `[genai] model` under aip 0.8.",
)
ZERO_CONCURRENCY = Rule(
    "CFG013",
    "zero-input-concurrency",
    "`input_concurrency = 0` behaves like 1 (sequential).",
    Severity.INFO,
    "What it does: notes a zero concurrency. Why: aip treats 0 as 1; it is not an error (spec §6 case 15, "
    "`A:src/run/run_agent.rs@952ad06e`). Example: `input_concurrency = 0`.",
)
OUT_OF_RANGE = Rule(
    "CFG014",
    "out-of-range-value",
    "An option value is accepted by aip but outside any sensible range.",
    Severity.WARNING,
    "What it does: flags `temperature` outside 0..2, `top_p` outside 0..1, `input_concurrency` above 64 and empty "
    "model names or alias keys. Why: aip passes these through unchecked; providers reject or clamp them at request "
    "time, and a huge concurrency floods a local Ollama. Example: `temperature = 7`.",
)
DEPRECATED_BASE_CONFIG = Rule(
    "CFG015",
    "deprecated-base-config",
    "`~/.aipack-base/config.toml` is renamed to `config-deprecated.toml` by aip 0.7.18+ and no longer read.",
    Severity.WARNING,
    "What it does: flags a legacy base `config.toml`. Why: since 0.7.18 the base layers are "
    "`config-default.toml` + `config-user.toml`; every base init renames `config.toml`, so its settings vanish "
    "(spec §1.1, §6 case 12). Example: move your `[options]` to `~/.aipack-base/config-user.toml`.",
)
EDITED_CONFIG_DEFAULT = Rule(
    "CFG016",
    "edited-config-default",
    "`config-default.toml` looks hand-edited; aip rewrites it on every version change.",
    Severity.WARNING,
    "What it does: flags a `config-default.toml` without the shipped `DO NOT EDIT` header or whose model is none of "
    "the shipped defaults. Why: aip 0.7.18+ rewrites this file from its embedded template on upgrade and on "
    "`aip init-base` (spec §1.1, §1.8, §6 case 12). Example: put overrides in `config-user.toml` instead.",
)
UNKNOWN_NAMESPACE = Rule(
    "CFG017",
    "unknown-model-namespace",
    "The model has a `ns::` prefix that is not a genai adapter; genai falls back to name mapping (usually Ollama).",
    Severity.WARNING,
    "What it does: checks the namespace against genai's adapter names. Why: an unknown namespace is not an error; "
    "genai maps the whole string by name, which ends on local Ollama (spec §2.3, §6 case 20). Namespaces need "
    "aip 0.7.15+. Example: `openia::gpt-5` (did you mean `openai`?).",
)
OLLAMA_FALLBACK = Rule(
    "CFG018",
    "ollama-fallback",
    "The model name matches no provider pattern, so genai sends it to local Ollama.",
    Severity.INFO,
    "What it does: reports models that reach Ollama only by genai's fallback, with a suggestion when the name "
    "looks like a misspelt hosted model. Why: a typo (`gtp-5`) or an un-namespaced hosted model (`gpt-oss-120b`) "
    "goes to localhost:11434 and fails only at request time (spec §2.4, §6 case 19). "
    "Example: `model = \"llama3.1:70b\"` (intended) or `\"gtp-5\"` (a typo).",
)
BUILTIN_DEFAULT_LAYER = Rule(
    "CFG019",
    "builtin-default-layer",
    "No base config file was found; the shipped default of the target aip version is assumed.",
    Severity.INFO,
    "What it does: when `~/.aipack-base/config-default.toml` (0.7.18+) or `config.toml` (0.6.x – 0.7.17) is absent, "
    "applies the shipped template's `model` and `input_concurrency` and says so. Why: aip (re)creates that file "
    "before every run, so it always contributes (spec §1.1, §1.8). Its large alias table is not reproduced here.",
)
NEEDS_NEWER_AIP = Rule(
    "CFG020",
    "needs-newer-aip",
    "A setting needs a newer aip than the target version, which ignores or mis-reads it.",
    Severity.WARNING,
    "What it does: compares keys, tables, namespaces and alias suffixes with the version that introduced them. "
    "Why: `[options]` is read from 0.7.10, `top_p` from 0.7.11, `allow_run_on_task_fail` from 0.8.17, `ns::` "
    "namespaces from 0.7.15, suffix-aware aliases from 0.8.3 (spec §1.4, §2.1, §2.3). "
    "Example: `allow_run_on_task_fail = true` with aip 0.8.3.",
)
SOFT_DEPRECATED_DEFAULT_OPTIONS = Rule(
    "CFG021",
    "default-options-deprecated",
    "`[default_options]` is soft-deprecated since aip 0.7.10; `[options]` is the current name.",
    Severity.INFO,
    "What it does: notes `[default_options]` (when no `[options]` shadows it). Why: aip 0.7.10+ still reads it when "
    "`[options]` is absent (CHANGELOG v0.7.10), but the templates and docs use `[options]` (spec §1.5). "
    "Example: `aipack-compat upgrade-config` renames it, keeping comments.",
)

RULES = (
    TOML_SYNTAX, DUPLICATE_KEY, WRONG_TYPE, UNKNOWN_OPTION, HYPHENATED_DEFAULT_OPTIONS, SHADOWED_DEFAULT_OPTIONS,
    LEGACY_TABLES, TOP_LEVEL_OPTION, UNKNOWN_TOP_LEVEL, ALIAS_CHAIN, NON_OLLAMA_PROVIDER, MISSING_MODEL,
    ZERO_CONCURRENCY, OUT_OF_RANGE, DEPRECATED_BASE_CONFIG, EDITED_CONFIG_DEFAULT, UNKNOWN_NAMESPACE,
    OLLAMA_FALLBACK, BUILTIN_DEFAULT_LAYER, NEEDS_NEWER_AIP, SOFT_DEPRECATED_DEFAULT_OPTIONS,
)
