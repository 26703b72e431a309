"""`aipack-compat upgrade-config`: diff by default, `--write` applies atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

from aipack_compat.cli import main

LEGACY = "[genai]\n# keep me\nmodel = \"gemma2\"\n\n[runtime]\nitems_concurrency = 1\n"


def workspace(tmp_path: Path, text: str = LEGACY, folder: str = ".devai") -> Path:
    config = tmp_path / folder / "config.toml"
    config.parent.mkdir()
    config.write_text(text, encoding="utf-8")
    return config


def test_shows_a_diff_and_leaves_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = workspace(tmp_path)
    assert main(["upgrade-config", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "-[genai]\n+[options]\n" in captured.out and "+input_concurrency = 1" in captured.out
    assert ".aipack/config.toml" in captured.err  # layout advice for .devai
    assert config.read_text() == LEGACY


def test_write_applies_and_second_run_is_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = workspace(tmp_path, folder=".aipack")
    assert main(["upgrade-config", str(config), "--write"]) == 0
    assert config.read_text().startswith("[options]\n# keep me\nmodel = \"gemma2\"\n")
    assert main(["upgrade-config", str(config)]) == 0
    assert "already in the current shape" in capsys.readouterr().out


def test_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = workspace(tmp_path, "[genai\nmodel=", folder=".aipack")
    assert main(["upgrade-config", str(config)]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    (tmp_path / "latin1.toml").write_bytes(b"[genai]\nmodel = \"caf\xe9\"\n")
    assert main(["upgrade-config", str(tmp_path / "latin1.toml")]) == 2
    assert main(["upgrade-config", str(tmp_path / "nowhere")]) == 2
