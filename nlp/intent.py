"""Intent of a mention: inform, praise, criticism, question or idea_need.

Rules over cue phrases and the mention's sentiment, in this order: an idea or need
("jag önskar", "borde", "I wish", "would be great") wins; then a question without negative
attitude; then criticism (negative), praise (clearly positive), and otherwise inform.
The residents' behaviour goal in the strategy is to express needs and ideas: those cues
are kept as evidence.
"""

from __future__ import annotations

import re

IDEA_CUES = re.compile(
    r"\b(jag önskar|önskar|önskemål|förslag|föreslår|föreslå|borde|vore (bra|bättre|kul|smart|"
    r"fint|toppen)|skulle (vara|behöva|kunna|gärna)|kan ni inte|varför inte|hoppas (att|på)|"
    r"behöver|behov|saknar|efterlyser|efterfrågar|tips|idé|snälla|gärna se|vill se|"
    r"i wish|wish (the|stockholm|you)|would be (great|nice|good|helpful|better)|should|"
    r"could you|why not|suggest\w*|idea|ideas|need|needs|needed|please|hope (the|you|that)|"
    r"it would|missing|would love)\b", re.IGNORECASE)
QUESTION_START = re.compile(
    r"(^|[.!?]\s+)(varför|hur|när|vad|vem|vilken|vilket|vilka|var|kan|finns|är|har|ska|blir|"
    r"går|why|how|when|what|who|which|where|can|could|is|are|does|do|will|has|have)\b",
    re.IGNORECASE)
PRAISE_CUES = re.compile(
    r"\b(tack|bra jobbat|snyggt|grattis|heja|äntligen|toppen|imponerande|thank\w*|well done|"
    r"congrat\w*|kudos|great|love|impressive|finally)\b|👏|🙌|❤️|👍", re.IGNORECASE)
PRAISE_SCORE = 0.35


def detect_intent(text: str, sentiment_label: str, sentiment_score: float,
                  voice: str) -> tuple[str, list[str]]:
    """Return (intent id, evidence words) for a mention."""
    ideas = [m.group(0) for m in IDEA_CUES.finditer(text)]
    if ideas and voice != "own":
        return "idea_need", ideas[:3]
    if "?" in text and sentiment_label != "negative":
        starts = [m.group(2) for m in QUESTION_START.finditer(text)]
        return "question", (starts[:2] or ["?"])
    if sentiment_label == "negative":
        return "criticism", []
    praise = [m.group(0) for m in PRAISE_CUES.finditer(text)]
    if voice != "own" and sentiment_label == "positive" and (
            praise or sentiment_score >= PRAISE_SCORE):
        return "praise", praise[:3]
    return "inform", []
