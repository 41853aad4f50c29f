"""Configuration validation: errors name the file, the key and the problem."""

from __future__ import annotations

import shutil

import pytest

from pulse.settings import ConfigError, load_settings, parse_interval
from tests.conftest import REPO


@pytest.fixture
def config_dir(tmp_path):
    target = tmp_path / "config"
    shutil.copytree(REPO / "config", target)
    return target


def test_shipped_config_is_valid():
    settings = load_settings(REPO / "config")
    assert settings.strategy.label("keyword", "safe_secure", "sv") == "Trygg och säker"
    assert settings.strategy.label("message", "smartest_2040", "en").startswith("The world")
    assert any(s.kind == "wordpress_comments" for s in settings.sources)
    assert any(s.kind == "x_user" and s.username == "smartsthlm" for s in settings.sources)


def test_bad_source_names_file_key_and_problem(config_dir):
    path = config_dir / "sources.toml"
    n = path.read_text(encoding="utf-8").count("\n[[source]]")
    path.write_text(path.read_text(encoding="utf-8") + """
[[source]]
key = "broken-one"
kind = "feed"
interval = "soon"

[[source]]
key = "no-url"
kind = "wordpress_comments"
""", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(config_dir)
    message = str(err.value)
    assert f"{path}: source[{n}] (broken-one).interval:" in message
    assert '"soon" is not an interval' in message
    assert f"{path}: source[{n + 1}] (no-url): " in message
    assert 'kind "wordpress_comments" needs `url`' in message


def test_unknown_keyword_id_is_refused(config_dir):
    path = config_dir / "strategy.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('id = "open"', 'id = "opne"'),
                    encoding="utf-8")
    with pytest.raises(ConfigError,
                       match=r"strategy.toml: keyword: .*missing: open; unknown: opne"):
        load_settings(config_dir)


def test_toml_syntax_error_names_the_file(config_dir):
    (config_dir / "pulse.toml").write_text("[general\nlanguage = 'sv'", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pulse.toml: \(syntax\)"):
        load_settings(config_dir)


def test_duplicate_source_keys(config_dir):
    path = config_dir / "sources.toml"
    path.write_text(path.read_text(encoding="utf-8") + """
[[source]]
key = "smartsthlm-blog"
kind = "feed"
url = "https://example.org/feed"
""", encoding="utf-8")
    with pytest.raises(ConfigError, match='"smartsthlm-blog" is used twice'):
        load_settings(config_dir)


def test_config_dir_from_environment(config_dir, monkeypatch):
    monkeypatch.setenv("PULSE_CONFIG_DIR", str(config_dir))
    (config_dir / "pulse.toml").write_text('[general]\nlanguage = "en"\n', encoding="utf-8")
    assert load_settings().pulse.general.language == "en"


def test_intervals():
    assert parse_interval("15m") == 900
    assert parse_interval("1d") == 86400
    with pytest.raises(ValueError):
        parse_interval("1w")
