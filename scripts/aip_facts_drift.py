#!/usr/bin/env python3
"""CI step: extract the newest published aip and report which facts differ from the newest checked-in release.

    python3 scripts/aip_facts_drift.py            # report; exit 0 unless the extraction itself fails
    python3 scripts/aip_facts_drift.py --strict   # exit 1 when a newer release exists or its facts differ

The crates are downloaded into a scratch directory (never into the user's caches) unless cargo already has them.
Exit codes: 0 reported, 1 extraction failed (or --strict and drift found), 2 usage, 3 offline.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import urllib.error
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from aip_facts import ExtractionError  # noqa: E402
from aip_facts.compare import changes  # noqa: E402
from aip_facts.crates import published_versions  # noqa: E402
from aip_facts.generate import version_files, version_key, write_version  # noqa: E402

DATA_DIR = Path(__file__).resolve().parent.parent / "aipack_compat" / "data" / "aip"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when the newest release drifted")
    args = parser.parse_args(argv)
    checked_in = sorted((path.name for path in DATA_DIR.iterdir() if (path / "manifest.json").is_file()),
                        key=version_key)[-1]
    with tempfile.TemporaryDirectory(prefix="aip-facts-drift-") as scratch:
        os.environ["XDG_CACHE_HOME"] = scratch  # downloads land here, not in ~/.cache
        try:
            newest = published_versions("aipack")[-1]
            out = Path(scratch) / "facts"
            write_version(out, newest, version_files(newest, offline=False))
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            print(f"aip_facts_drift: offline ({error}); nothing checked", file=sys.stderr)
            return 3
        except ExtractionError as error:
            print(f"aip_facts_drift: the newest aip ({newest}) no longer extracts: {error}", file=sys.stderr)
            return 1
        lines = changes(DATA_DIR / checked_in, out / newest)
    title = f"aip facts: newest published {newest}, newest checked in {checked_in}"
    print(title)
    print("\n".join(f"  {line}" for line in lines) if lines else "  no fact differs")
    drifted = newest != checked_in or bool(lines)
    if drifted:
        print(f"  -> run `python3 scripts/extract_aip_facts.py {newest}` and review the hand tables it affects")
    return 1 if args.strict and drifted else 0


if __name__ == "__main__":
    sys.exit(main())
