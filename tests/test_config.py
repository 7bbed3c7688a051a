"""Settings: environment variables over documented defaults, and the README names them all."""

from pathlib import Path

import pytest

from service.config import DEFAULTS, load_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_every_setting_is_documented_in_the_readme(name):
    assert f"`{name}`" in README


def test_environment_values_take_the_type_of_the_default():
    settings = load_settings({"FLOOD_SECONDS": "30", "TOXICITY_FALLBACK": "no",
                              "SCORE_TIMEOUT_S": "1.5", "REDIS_URL": "redis://r:6379/1"})
    assert settings["FLOOD_SECONDS"] == 30 and settings["TOXICITY_FALLBACK"] is False
    assert settings["SCORE_TIMEOUT_S"] == 1.5 and settings["REDIS_URL"] == "redis://r:6379/1"
    assert load_settings({})["FLOOD_SECONDS"] == 15


@pytest.mark.parametrize("name, value", [("FLOOD_SECONDS", "soon"), ("LOG_TEXT", "maybe")])
def test_a_bad_setting_stops_start_up_with_its_name(name, value):
    with pytest.raises(SystemExit, match=name):
        load_settings({name: value})
