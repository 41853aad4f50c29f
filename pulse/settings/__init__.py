"""Configuration: the TOML files in config/ (or PULSE_CONFIG_DIR), validated at start.

One module per file: `app` (pulse.toml), `strategy` (strategy.toml), `sources`
(sources.toml); `loading` reads a folder and checks the files against each other.
"""

from pulse.settings.app import (
    DashboardSettings,
    GeneralSettings,
    HttpSettings,
    PulseFile,
    TaggingSettings,
)
from pulse.settings.common import ConfigError, Labels, parse_interval
from pulse.settings.loading import Settings, default_config_dir, load_settings
from pulse.settings.sources import SourceConfig, SourcesFile
from pulse.settings.strategy import (
    BenchmarkCity,
    LabelledId,
    MessageEntry,
    Signal,
    StrategyFile,
    TargetGroupEntry,
    TopicEntry,
    VocabularyEntry,
    VoiceConfig,
)

__all__ = [
    "BenchmarkCity", "ConfigError", "DashboardSettings", "GeneralSettings", "HttpSettings",
    "Labels", "LabelledId", "MessageEntry", "PulseFile", "Settings", "Signal", "SourceConfig",
    "SourcesFile", "StrategyFile", "TaggingSettings", "TargetGroupEntry", "TopicEntry",
    "VocabularyEntry", "VoiceConfig", "default_config_dir", "load_settings", "parse_interval",
]
