"""`aipack-compat run` resolves models through model/model_resolution.py without the validate machinery."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("aipack_compat.check", "aipack_compat.load.toml_spans", "aipack_compat.rules", "pydantic")


def test_model_resolution_loads_neither_the_config_checker_nor_toml_spans() -> None:
    probe = ("import json, sys; import aipack_compat.model.model_resolution; "
             "print(json.dumps(sorted(sys.modules)))")
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, check=True)
    loaded = set(json.loads(completed.stdout))
    assert "aipack_compat.model.model_resolution" in loaded
    assert not loaded & set(FORBIDDEN)
    project = {name for name in loaded if name.startswith("aipack_compat")}
    assert project == {"aipack_compat", "aipack_compat.model", "aipack_compat.model.versions", "aipack_compat.model.eras",
                       "aipack_compat.model.option_keys", "aipack_compat.model.model_resolution"}
