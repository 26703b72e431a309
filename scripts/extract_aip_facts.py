#!/usr/bin/env python3
"""Regenerate `aipack_compat/data/aip/<version>/` from the published aip crates (and the genai each pins).

    python3 scripts/extract_aip_facts.py                 # every version in VERSIONS
    python3 scripts/extract_aip_facts.py 0.8.37 0.8.38   # just these
    python3 scripts/extract_aip_facts.py --newest        # the newest published aipack too
    python3 scripts/extract_aip_facts.py --offline --out /tmp/facts   # caches only, elsewhere

Crates come from cargo's registry cache, then our download cache, then crates.io (see aip_facts/crates.py).
Needs `tree-sitter` and `tree-sitter-rust` (pip). A fact whose source no longer has the expected shape stops
the run with a message naming it; fix the extractor (or the runtime port it pins), never the data by hand.
Exit codes: 0 written, 1 extraction failed, 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # aipack_compat: the predicate ports the data pins

from aip_facts import ExtractionError  # noqa: E402
from aip_facts.crates import published_versions  # noqa: E402
from aip_facts.generate import version_files, write_index, write_version  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "aipack_compat" / "data" / "aip"

# Why each version is here:
#   devai 0.5.0 / 0.5.12   first and last Lua release of the `devai` crate (0.5.10: [default_options], aliases)
#   0.6.0                  the rename to aipack / `aip`; base config.toml
#   0.7.0, 0.7.20          first and last 0.7 (0.7.x is one minor); 0.6.10: shipped input_concurrency,
#                          0.7.10: [options]
#   0.8.0 ... 0.8.37       the releases the issue names (0.8.16: the last /v1/chat/completions era the
#                          replay tests pin; 0.8.27/0.8.29/0.8.30: genai 0.6.3 / 0.7 betas; 0.8.37: newest)
#   0.7.4 0.7.18 0.8.8 0.8.11 0.8.20 0.8.25 0.8.32 0.8.36
#                          where the shipped default model or config layout changed (git tags of aip), so that
#                          "use the older extracted version" gives the right shipped default in between
VERSIONS = (
    "0.5.0", "0.5.10", "0.5.12", "0.6.0", "0.6.10", "0.7.0", "0.7.4", "0.7.10", "0.7.18", "0.7.20", "0.8.0", "0.8.8",
    "0.8.11", "0.8.16", "0.8.20", "0.8.25", "0.8.27", "0.8.29", "0.8.30", "0.8.32", "0.8.36", "0.8.37",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("versions", nargs="*", help="aip versions (default: the built-in list)")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="data directory (default: the package's)")
    parser.add_argument("--offline", action="store_true", help="use cached crates only; never download")
    parser.add_argument("--newest", action="store_true", help="also extract the newest published aipack")
    args = parser.parse_args(argv)
    versions = list(args.versions or VERSIONS)
    try:
        if args.newest:
            if args.offline:
                parser.error("--newest needs the network")
            newest = published_versions("aipack")[-1]
            versions += [] if newest in versions else [newest]
        args.out.mkdir(parents=True, exist_ok=True)
        for version in versions:
            files = version_files(version, offline=args.offline)
            write_version(args.out, version, files)
            print(f"{version}: {len(files)} files", file=sys.stderr)
        write_index(args.out)
    except ExtractionError as error:
        print(f"extract_aip_facts: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
