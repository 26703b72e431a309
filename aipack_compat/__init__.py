"""aipack-compat: validate, migrate, execute and replay AIPACK (aip/devai) setups.

The package is a pipeline; each sub-package is one stage:

    load/     bytes on disk -> parsed documents with source spans (never raises on bad input)
    model/    the typed contracts passed between stages
    check/    parsed documents -> typed models + diagnostics (validate)
    migrate/  models -> job configs / upgraded TOML (pure) + the one atomic writer
    execute/  job configs -> run records (async executor against Ollama)
    replay/   old path (real aip) vs new path (executor), recorded through a proxy
    report/   renderers: diagnostics, run summaries and replay reports
    cli/      the click front-end, thin
"""

__version__ = "0.1.0"
