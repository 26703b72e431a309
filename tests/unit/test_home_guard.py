"""The home guard itself: a test cannot reach the real HOME, and the package sees a private one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from home_guard import REAL_HOME, RealHomeTouched

from aipack_compat.execute.cache import default_cache_dir
from aipack_compat.load.workspace import default_base_dir


@pytest.mark.parametrize("sub", [".aipack-base/config-user.toml", ".cache/aipack-compat/responses", ".ssh/id_rsa"])
def test_opening_a_path_in_the_real_home_fails(sub: str) -> None:
    with pytest.raises(RealHomeTouched, match="inside the real HOME"):
        open(os.path.join(REAL_HOME, sub), encoding="utf-8")


def test_listing_the_real_home_fails() -> None:
    with pytest.raises(RealHomeTouched):
        os.listdir(REAL_HOME)


def test_the_package_defaults_point_at_the_private_home(_private_home: Path) -> None:
    assert default_base_dir() == _private_home / ".aipack-base"
    assert str(default_cache_dir()).startswith(str(_private_home))
    assert _private_home.resolve() != Path(REAL_HOME)
