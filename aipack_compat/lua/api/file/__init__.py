"""aip.file.*, split as aip's `A:src/script/aip_modules/aip_file/*.rs@952ad06e`: reading and
listing, writing, SEARCH/REPLACE changes, JSON/TOML/YAML files, HTML files, hashes.

`records.py` builds the FileInfo/FileRecord tables and lists globs for them and for aip.path and
aip.udiffx. Reads are confined to the workspace, `~/.aipack-base`, the agent's and the pack's
dirs; writes follow aip's `check_access_write` (workspace or `.aipack-base` only) and replace the
file atomically through `files.write_atomic(force=True)`, because overwriting is what
`aip.file.save` means.
"""
