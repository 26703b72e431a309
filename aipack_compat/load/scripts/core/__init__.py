"""What every script front-end shares: values and scope, the collector and its records, `aip run`
argument vectors, loop matrices and per-input folding, located text assembled from other files."""
