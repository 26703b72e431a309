"""The aip.* bindings: one module per aip module (`A:src/script/aip_modules/*.rs@952ad06e`), each
exposing `FUNCTIONS: dict[str, ApiFunction]`; `aip.file` is a folder, as aip's `aip_file/`.

`host.py` holds what every binding shares; `lua/registry.py` assembles the bindings into the
`aip` table. The algorithms behind them that never touch Lua live in `lua/ports/`.
"""
