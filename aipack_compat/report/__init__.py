"""report: renderers only. Each takes a result model and returns text; the CLI writes it."""
