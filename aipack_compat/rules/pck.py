"""PCK: pack.toml (the manifest `aip pack` reads, spec §4.4)."""

from aipack_compat.model.diagnostic import Severity
from aipack_compat.rules import Rule

PACK_TOML_SYNTAX = Rule(
    "PCK001",
    "pack-toml-syntax",
    "pack.toml is not valid TOML.",
    Severity.ERROR,
    "`aip pack` parses pack.toml with the toml crate and stops at the first syntax error.",
)
PACK_SECTION_MISSING = Rule(
    "PCK002",
    "pack-section-missing",
    "pack.toml has no [pack] table.",
    Severity.ERROR,
    "aip requires `[pack]` with namespace, name and version: `Missing [pack] section in <path>` "
    "(A:src/exec/packer/pack_toml.rs@952ad06e).",
)
PACK_FIELD_MISSING = Rule(
    "PCK003",
    "pack-field-missing",
    "[pack] namespace, name or version is missing or empty.",
    Severity.ERROR,
    "`aip pack` fails with `<field> field is missing or empty in '<path>'`.",
)
PACK_FIELD_INVALID = Rule(
    "PCK004",
    "pack-field-invalid",
    "A [pack] field does not match the form aip accepts.",
    Severity.ERROR,
    "namespace and name must match ^[a-zA-Z_][a-zA-Z0-9_-]*$ (A:src/types/pack_identity.rs@952ad06e); "
    r"version must match ^\d+\.\d+\.\d+(-[A-Za-z][\w-]*(\.\d+)?)?$ (A:src/exec/packer/pack_toml.rs@952ad06e).",
)

RULES = (PACK_TOML_SYNTAX, PACK_SECTION_MISSING, PACK_FIELD_MISSING, PACK_FIELD_INVALID)
