"""migrate: scanned scripts + legacy config + agents -> JobConfig, upgraded TOML, reports (pure)."""
