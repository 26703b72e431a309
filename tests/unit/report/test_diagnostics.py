import json

from aipack_compat.model.diagnostic import CheckResult, Severity
from aipack_compat.report.diagnostics import REPORTERS_BY_NAME, render_github, render_json, render_sarif, render_text
from aipack_compat.rules import io, pck


def sample_result() -> CheckResult:
    result = CheckResult(files_checked=["a/.aipack/config.toml", "b/pack.toml"])
    result.extend(
        [
            pck.PACK_FIELD_MISSING.diagnostic("b/pack.toml", "version field is missing or empty", 3, 1),
            io.NOT_UTF8.diagnostic("a/.aipack/config.toml", "invalid UTF-8 byte 0xff", 2, 5, hint="re-save, as UTF-8"),
            io.EMPTY_FILE.diagnostic("c/x.aip", "empty"),
        ]
    )
    return result


def test_text_lists_each_finding_located_then_a_summary():
    text = render_text(sample_result())
    lines = text.splitlines()
    assert lines[0] == "a/.aipack/config.toml:2:5: error IO002 invalid UTF-8 byte 0xff"
    assert lines[1] == "  hint: re-save, as UTF-8"
    assert lines[2] == "b/pack.toml:3:1: error PCK003 version field is missing or empty"
    assert lines[3] == "c/x.aip: info IO004 empty"
    assert lines[-1] == "2 files checked: 2 error(s), 0 warning(s), 1 info"


def test_json_is_sorted_and_carries_every_field():
    payload = json.loads(render_json(sample_result()))
    assert payload["summary"] == {"info": 1, "warning": 0, "error": 2}
    first = payload["diagnostics"][0]
    assert first == {
        "path": "a/.aipack/config.toml", "code": "IO002", "severity": "error", "message": "invalid UTF-8 byte 0xff",
        "line": 2, "column": 5, "end_line": 2, "end_column": 5, "hint": "re-save, as UTF-8",
    }


def test_github_annotations_escape_properties_and_data():
    lines = render_github(sample_result()).splitlines()
    assert lines[0] == (
        "::error file=a/.aipack/config.toml,line=2,col=5,endLine=2,endColumn=5,title=IO002::"
        "invalid UTF-8 byte 0xff%0Are-save, as UTF-8"
    )
    assert lines[2].startswith("::notice file=c/x.aip,title=IO004::")


def test_sarif_has_rules_from_the_registry_and_regions():
    sarif = json.loads(render_sarif(sample_result()))
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["IO002", "IO004", "PCK003"]
    assert run["tool"]["driver"]["rules"][0]["name"] == "not-utf8"
    first = run["results"][0]
    assert first["ruleId"] == "IO002" and first["level"] == "error"
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2, "startColumn": 5, "endLine": 2, "endColumn": 5,
    }
    whole_file = run["results"][2]
    assert "region" not in whole_file["locations"][0]["physicalLocation"]
    assert whole_file["level"] == "note"


def test_every_format_renders_an_empty_result():
    for name, render in REPORTERS_BY_NAME.items():
        assert isinstance(render(CheckResult()), str), name


def test_worst_severity_orders_errors_above_warnings():
    result = sample_result()
    assert result.worst() is Severity.ERROR
    assert Severity.parse("warning") < Severity.ERROR
