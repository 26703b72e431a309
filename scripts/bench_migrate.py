#!/usr/bin/env python3
"""Time `migrate` over every workspace of ../shared/corpus (target: < 2 s in total).

Usage: python scripts/bench_migrate.py [CORPUS_DIR]   (writes into a temporary directory)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else (ROOT / ".." / "shared" / "corpus").resolve()
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from aipack_compat.migrate.plan import plan_migration

    workspaces = sorted(p for p in corpus.iterdir() if p.is_dir())
    started = time.perf_counter()
    jobs = entries = 0
    with tempfile.TemporaryDirectory() as out:
        for workspace in workspaces:
            plan = plan_migration(str(workspace), "both", None, str(Path(out) / workspace.name))
            assert plan.migration is not None
            jobs += len(plan.migration.config.jobs)
            entries += len(plan.migration.entries)
    elapsed = time.perf_counter() - started
    print(f"{len(workspaces)} workspaces, {jobs} jobs, {entries} report entries in {elapsed:.3f} s "
          f"({'OK' if elapsed < 2 else 'OVER'} the 2 s target)")
    return 0 if elapsed < 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
