from aipack_compat.cli import entry_point

entry_point()
