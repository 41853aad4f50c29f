"""The labels Pulse itself defines (docs/labelling.md), as opposed to the strategy's
vocabulary in config/strategy.toml: sentiment, intent and voice are the same for every city."""

SENTIMENTS = ("positive", "neutral", "negative")
INTENT_IDS = ("inform", "praise", "criticism", "question", "idea_need")
VOICE_IDS = ("own", "third_party")
