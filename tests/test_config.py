"""Settings: environment variables over documented defaults, and the README names them all."""

import os
import stat
from pathlib import Path

import pytest

from service.config import DEFAULTS, finish_settings, load_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_every_setting_is_documented_in_the_readme(name):
    assert f"`{name}`" in README


def test_environment_values_take_the_type_of_the_default():
    settings = load_settings(
        {
            "FLOOD_SECONDS": "30",
            "TOXICITY_FALLBACK": "no",
            "SCORE_TIMEOUT_S": "1.5",
            "REDIS_URL": "redis://r:6379/1",
        }
    )
    assert settings["FLOOD_SECONDS"] == 30 and settings["TOXICITY_FALLBACK"] is False
    assert settings["SCORE_TIMEOUT_S"] == 1.5 and settings["REDIS_URL"] == "redis://r:6379/1"
    assert load_settings({})["FLOOD_SECONDS"] == 15


@pytest.mark.parametrize("name, value", [("FLOOD_SECONDS", "soon"), ("LOG_TEXT", "maybe")])
def test_a_bad_setting_stops_start_up_with_its_name(name, value):
    with pytest.raises(SystemExit, match=name):
        load_settings({name: value})


def test_the_generated_secret_key_file_is_private_from_its_creation(tmp_path, monkeypatch):
    # A chmod after writing leaves a moment where the key is world-readable: allow none.
    monkeypatch.setattr(Path, "chmod", lambda *args, **kwargs: None)
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    old_umask = os.umask(0o022)
    try:
        settings = finish_settings(load_settings({"DATA_DIR": str(tmp_path)}))
    finally:
        os.umask(old_umask)
    secret_file = tmp_path / "secret_key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert settings["SECRET_KEY"] == secret_file.read_text() and len(settings["SECRET_KEY"]) == 64
    # A second start reads the same key.
    assert (
        finish_settings(load_settings({"DATA_DIR": str(tmp_path)}))["SECRET_KEY"]
        == (settings["SECRET_KEY"])
    )
