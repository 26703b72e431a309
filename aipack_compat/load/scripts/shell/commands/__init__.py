"""What ordinary commands do to the walk: `cd`, wrappers, config rewrites (sed, cp, here-docs,
templates), `source`, `read`, `trap`, nested shells."""
