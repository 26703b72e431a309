"""`upgrade-config DIR` picks the config a run in DIR reads (latest aip: DIR's own `.aipack/`), else `.devai/`."""

from __future__ import annotations

from pathlib import Path

import pytest

from aipack_compat.cli import main


@pytest.mark.parametrize("folders", [(".aipack", ".devai"), (".devai",)])
def test_upgrade_config_of_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       folders: tuple[str, ...]) -> None:
    for folder in folders:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "config.toml").write_text('[genai]\nmodel = "llama3.2"\n', encoding="utf-8")
    assert main(["upgrade-config", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith(str(tmp_path / folders[0] / "config.toml"))


def test_upgrade_config_does_not_adopt_a_parents_workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".aipack").mkdir()
    (tmp_path / ".aipack" / "config.toml").write_text('[genai]\nmodel = "llama3.2"\n', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert main(["upgrade-config", str(tmp_path / "sub")]) == 2
    assert "no .aipack/config.toml or .devai/config.toml here" in capsys.readouterr().err
