"""The command line: `main(argv) -> int`, one top-level error handler, lazily loaded commands.

Commands live in `cli/commands/<name>.py`, each exposing a click command named `command`.
They are imported only when invoked so `aipack-compat validate` pays only for what it uses.

Exit codes: 0 clean, 1 findings (or failed items / non-equivalence), 2 usage or internal error,
130 interrupted.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click

from aipack_compat import __version__

# command name -> (module under aipack_compat.cli.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "Check configs, agents and scripts; report located diagnostics."),
    "rules": ("rules", "List the rule codes (or explain one)."),
    "config": ("config", "Inspect the effective configuration (`config show`)."),
    "migrate": ("migrate", "Migrate a legacy setup into a typed job config (aipack-compat.json)."),
    "upgrade-config": ("upgrade_config", "Rewrite legacy config shapes to the current one, keeping comments."),
    "run": ("run", "Execute a migrated job config against Ollama."),
    "cache": ("cache", "Inspect or clear the response cache."),
    "replay": ("replay", "Replay old path (aip) and new path (executor) and report equivalence."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (module, _) in COMMANDS.items() if _module_exists(module)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not _module_exists(entry[0]):
            return None
        module = importlib.import_module(f"aipack_compat.cli.commands.{entry[0]}")
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _module_exists(module: str) -> bool:
    return importlib.util.find_spec(f"aipack_compat.cli.commands.{module}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aipack-compat")
def cli() -> None:
    """Validate, migrate, execute and replay AIPACK (aip / devai) setups."""


def main(argv: list[str] | None = None) -> int:
    from aipack_compat.errors import AipackCompatError

    try:
        result = cli.main(args=argv, prog_name="aipack-compat", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except AipackCompatError as exc:
        click.echo(f"aipack-compat: error: {exc}", err=True)
        return exc.exit_code
    except BrokenPipeError:
        return 1
    except Exception as exc:  # a bug: one line for the user, the traceback in a crash log
        return _report_crash(exc)
    return result if isinstance(result, int) else 0


def entry_point() -> None:
    """The `aipack-compat` executable and `python -m aipack_compat`: main(), then exit without
    tearing the interpreter down.

    By the time main() returns, everything it wrote is closed (atomic writes, the journal is
    fsynced per record and closed), so the ~30 ms Python spends finalising pydantic's and
    asyncio's modules at exit buys nothing; a short `run` or `validate` is that much faster.
    Only this process entry does it: tests and embedders call main() and keep their interpreter.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        code = code or 1
    if "coverage" in sys.modules:  # coverage.py saves its data at interpreter exit
        raise SystemExit(code)
    os._exit(code)


def _report_crash(exc: BaseException) -> int:
    import platform
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile("w", prefix="aipack-compat-crash-", suffix=".log", delete=False) as log:
        log.write(f"aipack-compat {__version__} on Python {platform.python_version()} ({platform.platform()})\n")
        log.write(f"argv: {sys.argv!r}\n\n")
        traceback.print_exception(exc, file=log)
    click.echo(f"aipack-compat: internal error: {type(exc).__name__}: {exc} (details in {log.name})", err=True)
    return 2
