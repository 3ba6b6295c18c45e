"""Shared fixtures. Tests never sleep, never touch the real HOME and never reach a network."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var in ("SF_INSTANCE_URL", "SF_ACCESS_TOKEN", "SF_TARGET_ORG"):
        monkeypatch.delenv(var, raising=False)
