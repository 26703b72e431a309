"""Scripts that call `aip run`: read by one front-end per kind of file, parsed and never executed.

scan.py picks the front-end (front_ends.py: the registry) and returns a `ScriptScan`; core/ is
what every front-end shares (the collector, scope and values, loop matrices); shell/, make/,
python/, tasks/ and ci_yaml.py are the front-ends.
"""
