"""Configuration validation: errors name the file, the key and the problem."""

from __future__ import annotations

import shutil

import pytest

from pulse.settings import ConfigError, SourceConfig, load_settings, parse_interval
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


def test_ids_come_from_the_file_and_must_be_consistent(config_dir):
    path = config_dir / "strategy.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('id = "open"', 'id = "openness"'), encoding="utf-8")
    assert "openness" in load_settings(config_dir).strategy.ids("keyword")  # any id will do
    path.write_text(text.replace('id = "open"', 'id = "innovative"'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"strategy.toml: keyword: ids used twice: innovative"):
        load_settings(config_dir)
    path.write_text(text.replace('value = "together"', 'value = "togetherness"'),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r'signal message "togetherness" is not one of'):
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


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _errors(config_dir) -> str:
    with pytest.raises(ConfigError) as err:
        load_settings(config_dir)
    return str(err.value)


def test_shipped_target_group_signals():
    groups = {g.id: g.signal for g in load_settings(REPO / "config").strategy.target_group}
    assert (groups["residents"].kind, groups["residents"].value) == ("intent", "idea_need")
    assert (groups["business"].kind, groups["business"].value) == ("intent", "question")
    assert (groups["public_sector"].kind, groups["public_sector"].value) == ("message",
                                                                             "together")
    assert groups["cities_world"].value == "digital_hub"
    assert groups["residents"].label.en == "Express needs and ideas"


def test_signal_kind_and_value_are_checked(config_dir):
    path = config_dir / "strategy.toml"
    _edit(path, 'kind = "intent", value = "idea_need"', 'kind = "intent", value = "ideas"')
    _edit(path, 'kind = "message", value = "together"', 'kind = "mood", value = "together"')
    message = _errors(config_dir)
    assert (f'{path}: target_group[0] (residents).signal: unknown intent "ideas"; '
            "use one of inform, praise, criticism, question, idea_need") in message
    assert f"{path}: target_group[3] (public_sector).signal.kind: " in message
    assert "'intent', 'message' or 'topic'" in message


def test_config_without_signals_and_cities_loads(config_dir):
    path = config_dir / "strategy.toml"
    text = path.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("signal ="))
    text = text[:text.index("[[benchmark_city]]")] + text[text.index("[[channel]]"):]
    path.write_text(text, encoding="utf-8")
    # Stockholm's measurement points include its share of voice among the benchmark cities.
    pulse_toml = config_dir / "pulse.toml"
    kpis = pulse_toml.read_text(encoding="utf-8")
    pulse_toml.write_text(kpis[:kpis.index("[[kpi]]\nid = ")], encoding="utf-8")
    strategy = load_settings(config_dir).strategy
    assert all(g.signal is None for g in strategy.target_group)
    assert strategy.benchmark_city == [] and strategy.home_city is None


def test_exactly_one_home_city(config_dir):
    path = config_dir / "strategy.toml"
    _edit(path, 'names = ["Oslo"]', 'names = ["Oslo"]\nhome = true')
    assert (f"{path}: benchmark_city: exactly one city must have `home = true`, "
            "found stockholm, oslo") in _errors(config_dir)
    _edit(path, "home = true\n", "")
    assert "exactly one city must have `home = true`, found none" in _errors(config_dir)


def test_city_names_and_ids_are_checked(config_dir):
    path = config_dir / "strategy.toml"
    _edit(path, 'names = ["Oslo"]', 'names = ["Oslo", "sthlm"]')
    assert ('benchmark_city: name "sthlm" is given to both stockholm and oslo'
            in _errors(config_dir))
    _edit(path, 'names = ["Oslo", "sthlm"]', 'names = [" Oslo"]')
    assert (f'{path}: benchmark_city[3] (oslo).names: " Oslo" is empty or has spaces '
            "at an end") in _errors(config_dir)
    _edit(path, 'names = [" Oslo"]', "names = []")
    assert f"{path}: benchmark_city[3] (oslo).names:" in _errors(config_dir)
    _edit(path, "names = []", 'names = ["Oslo"]')
    _edit(path, 'id = "oslo"', 'id = "helsinki"')
    assert "benchmark_city: ids used twice: helsinki" in _errors(config_dir)


@pytest.mark.parametrize("kind, voice, extra, channel", [
    ("feed", "third_party", {"url": "https://a.example/feed"}, "media"),
    ("feed", "own", {"url": "https://a.example/feed"}, "own_web"),
    ("feed", "own", {"url": "https://a.example/feed", "channel": "own_blog"}, "own_blog"),
    ("wordpress_comments", "third_party", {"url": "https://a.example/c"}, "own_blog"),
    ("wordpress_api", "third_party", {"url": "https://a.example"}, "own_blog"),
    ("x_user", "own", {"username": "smartsthlm"}, "own_x"),
    ("x_user", "third_party", {"username": "someone"}, "social"),
    ("x_search", "third_party", {"query": "Stockholm"}, "social"),
    ("mastodon_tag", "third_party", {"url": "https://m.example", "tag": "smartcity"}, "social"),
    ("mastodon_account", "own", {"url": "https://m.example", "username": "a"}, "social"),
])
def test_effective_channel(kind, voice, extra, channel):
    source = SourceConfig(key="s", kind=kind, voice=voice, **extra)
    assert source.effective_channel == channel


def test_shipped_source_channels():
    sources = load_settings(REPO / "config").sources_by_key
    assert sources["smartsthlm-blog"].effective_channel == "own_blog"
    assert sources["stockholm-se-smartstad"].effective_channel == "own_web"
    assert sources["smartsthlm-x"].effective_channel == "own_x"
    assert sources["gnews-sv-smart-stad"].effective_channel == "media"


def test_unknown_channel_is_refused(config_dir):
    path = config_dir / "sources.toml"
    _edit(path, 'channel = "own_blog"', 'channel = "blog"')
    assert (f'{path}: source[0] (smartsthlm-blog).channel: "blog" is not a channel of '
            "strategy.toml; use one of own_web, own_blog, own_x, media, social"
            ) in _errors(config_dir)


def test_channel_must_be_one_of_the_strategy(config_dir):
    path = config_dir / "strategy.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('[[channel]]\nid = "social"')
    path.write_text(text[:start] + text[text.index("\n# --- Topics", start):],
                    encoding="utf-8")
    message = _errors(config_dir)
    assert ('source[10] (smartsthlm-x).channel' not in message)
    assert ('source[11] (x-search-smart-stad).channel: "social" (derived from kind and voice; '
            "set `channel`) is not a channel of strategy.toml; use one of own_web, own_blog, "
            "own_x, media") in message


def test_demo_sources_have_channels():
    from pulse.demo.run import demo_sources

    channels = {s.key: s.effective_channel for s in demo_sources("http://127.0.0.1:1")}
    assert channels["demo-smartsthlm-blog"] == "own_blog"
    assert channels["demo-smartsthlm-comments"] == "own_blog"
    assert channels["demo-smartsthlm-en"] == "own_web"
    assert channels["demo-nordic-cities-review"] == "media"
