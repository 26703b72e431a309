"""The Python front-end: `subprocess`/`os.system` callers read with `ast`, never imported."""
