"""What aip gets from its crates (and a few algorithms of its own), re-implemented without Lua.

Nothing here imports lupa or `lua/api`: the bindings in `lua/api/` check Lua arguments and call
these. Each module's opening comment says why it is hand-written (no Python library does the
job as the crate does) or that it is a candidate for a library binding.
"""
