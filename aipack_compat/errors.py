"""Fatal errors: usage, environment and internal failures (findings are diagnostics, not errors).

    AipackCompatError            exit 2, one clear line naming the file/location
    ├── UsageFailure             bad arguments or a bad input file given on the command line
    └── EnvironmentFailure       something outside us is missing (a binary, a port, a backend)
"""

from __future__ import annotations


class AipackCompatError(Exception):
    exit_code = 2


class UsageFailure(AipackCompatError):
    pass


class EnvironmentFailure(AipackCompatError):
    pass
