"""check: parsed documents -> typed models + diagnostics. Pure functions, no printing."""
