import re

from aipack_compat.model.diagnostic import Severity
from aipack_compat.rules import all_rules

CODE = re.compile(r"^[A-Z]{2,3}\d{3}$")
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_every_rule_is_well_formed_and_unique():
    registry = all_rules()
    assert registry, "the registry is empty"
    names = set()
    for code, rule in registry.items():
        assert CODE.match(code), code
        assert NAME.match(rule.name), rule.name
        assert rule.name not in names, f"duplicate rule name {rule.name}"
        names.add(rule.name)
        assert rule.summary and rule.explanation, code
        assert isinstance(rule.severity, Severity)
        assert rule.status in {"stable", "preview", "deprecated", "removed"}


def test_rule_diagnostic_defaults_end_to_start():
    rule = next(iter(all_rules().values()))
    diag = rule.diagnostic("f", "m", 3, 4)
    assert (diag.end_line, diag.end_column) == (3, 4)
    assert diag.code == rule.code and diag.severity == rule.severity
