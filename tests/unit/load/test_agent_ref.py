"""Agent reference resolution per era (spec §4.3, §6 cases 48–50)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aipack_compat.load.agent_ref import initials, parse_pack_ref, possible_aip_paths, resolve_agent_ref


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Instruction\nx\n", encoding="utf-8")
    return path


@pytest.fixture()
def tree(tmp_path: Path) -> dict[str, Path]:
    wks, home = tmp_path / "wks", tmp_path / "home"
    (wks / ".aipack").mkdir(parents=True)
    return {"wks": wks, "home": home}


def _resolve(ref: str, tree: dict[str, Path], era: str = "0.8.37", base_dir: str | None = None):  # type: ignore[no-untyped-def]
    wks = str(tree["wks"])
    return resolve_agent_ref(ref, wks, wks, base_dir, era, home=str(tree["home"]))


def test_possible_aip_paths() -> None:
    assert possible_aip_paths("a/b.aip", False) == ["a/b.aip"]
    assert possible_aip_paths("a/b/", False) == ["a/b/main.aip"]
    assert possible_aip_paths("a/b", False) == ["a/b.aip", "a/b/main.aip"]
    assert possible_aip_paths("pack", True) == ["pack/main.aip"]


def test_case_49_local_name_tries_aip_then_main(tree: dict[str, Path]) -> None:
    main = _touch(tree["wks"] / "foo" / "main.aip")
    assert _resolve("foo", tree).path == str(main)
    direct = _touch(tree["wks"] / "foo.aip")
    path, reason = _resolve("foo", tree)
    assert path == str(direct) and "local path" in reason
    assert _resolve("foo/", tree).path == str(main)


def test_case_49_devai_and_md_files_are_not_found_by_aip(tree: dict[str, Path]) -> None:
    _touch(tree["wks"] / "x.devai")
    result = _resolve("x.devai", tree)
    assert result.path is None
    assert result.reason.startswith("No agent found for local path: 'x.devai'")
    assert result.candidates[0].endswith("x.devai.aip") and "rename" in result.reason


def test_case_48_any_at_sign_is_a_pack_ref(tree: dict[str, Path]) -> None:
    _touch(tree["wks"] / "x@y.aip")
    result = _resolve("./x@y.aip", tree)
    assert result.path is None and "namespace" in result.reason.lower()
    assert "Too many '@'" in _resolve("a@b@c", tree).reason


def test_case_50_namespace_rules_by_version(tree: dict[str, Path]) -> None:
    agent = _touch(tree["home"] / ".aipack-base" / "pack" / "installed" / "demo" / "proof" / "main.aip")
    assert "Namespace cannot be empty" in _resolve("@proof", tree).reason
    assert _resolve("@proof", tree, "0.7.6").path == str(agent)
    assert "cannot be empty after '@'" in _resolve("demo@", tree).reason
    assert _resolve("demo@proof/", tree).path == str(agent)


def test_pack_precedence_and_sub_paths(tree: dict[str, Path]) -> None:
    base = _touch(tree["home"] / ".aipack-base" / "pack" / "custom" / "ns" / "p" / "main.aip")
    assert _resolve("ns@p", tree).path == str(base)
    wks = _touch(tree["wks"] / ".aipack" / "pack" / "custom" / "ns" / "p" / "main.aip")
    assert _resolve("ns@p", tree).path == str(wks)
    sub = _touch(tree["wks"] / ".aipack" / "pack" / "custom" / "ns" / "p" / "sub" / "agent.aip")
    assert _resolve("ns@p/sub/agent", tree).path == str(sub)
    assert _resolve("ns@p/sub/agent.aip", tree).path == str(sub)
    assert _resolve("ns@p/nothing", tree).reason == "No agent files  matches for ns@p/nothing"
    assert _resolve("ns@missing", tree).reason == "No aipack matches for ns@missing."
    assert "'..'" in _resolve("ns@p/../x", tree).reason


def test_empty_namespace_in_several_namespaces_is_an_error(tree: dict[str, Path]) -> None:
    _touch(tree["home"] / ".aipack-base" / "pack" / "installed" / "a" / "p" / "main.aip")
    _touch(tree["home"] / ".aipack-base" / "pack" / "installed" / "b" / "p" / "main.aip")
    assert "multiple AI packs" in _resolve("@p", tree, "0.7.0").reason


def test_base_dir_is_used_for_agent_run_from_0_6_14(tree: dict[str, Path]) -> None:
    caller = tree["wks"] / "agents"
    sub = _touch(caller / "sub.aip")
    assert _resolve("sub", tree, base_dir=str(caller)).path == str(sub)
    assert _resolve("sub", tree, "0.6.13", base_dir=str(caller)).path is None


def test_pack_ref_grammar() -> None:
    assert parse_pack_ref("ns@name$base/file.txt", (0, 8, 0)) == ("ns", "name", "file.txt")
    assert "found '$other'" in str(parse_pack_ref("ns@name$other", (0, 8, 0)))
    assert "'$' is not allowed" in str(parse_pack_ref("ns@name/a$b", (0, 8, 0)))


def test_devai_rhai_era_matches_stems_and_initials(tmp_path: Path) -> None:
    custom = _touch(tmp_path / ".devai" / "customs" / "proof-comments.md")
    default = _touch(tmp_path / ".devai" / "defaults" / "proof-comments.md")
    assert resolve_agent_ref("pc", str(tmp_path), str(tmp_path), None, "devai-rhai").path == str(custom)
    custom.unlink()
    assert resolve_agent_ref("proof-comments", str(tmp_path), str(tmp_path), None, "0.1.0").path == str(default)
    assert resolve_agent_ref("zz", str(tmp_path), str(tmp_path), None, "0.1.0").reason == "Agent 'zz' not found."


def test_devai_lua_era_paths_initials_and_main(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    agent = _touch(tmp_path / ".devai" / "custom" / "agent" / "craft" / "text.devai")
    main = _touch(tmp_path / ".devai" / "default" / "agent" / "tool" / "main.devai")
    run = lambda ref, era: resolve_agent_ref(ref, str(tmp_path), str(tmp_path), None, era, home=home).path  # noqa: E731
    assert run("craft/text", "0.5.12") == str(agent)
    assert run("c/t", "0.5.12") == str(agent)
    assert run("text", "0.5.4") == str(agent)  # stem match before 0.5.5
    assert run("tool", "0.5.10") == str(main)
    assert run("tool", "0.5.9") is None
    direct = _touch(tmp_path / "solo.devai")
    assert run("solo.devai", "0.5.0") == str(direct)


def test_initials() -> None:
    assert initials("proof-comments", per_segment=False) == "pc"
    assert initials("craft/_my-text", per_segment=True) == "c/mt"
