"""The tagger: language, keywords, core messages, sentiment and voice in one batched pass.

Input records are dicts with "text" and optional "title", "id", "url", "author", "source",
"source_voice". Output records follow `pulse analyze`'s format. Pure: no database access.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nlp.language import detect_language
from nlp.lemmas import lemma_table, pipeline
from nlp.sentiment import Sentiment, combine, label_of, normalise, score_sentences
from nlp.vocabulary import Hit, TermMatcher
from nlp.voice import detect_voice
from nlp.words import WordReader

TAGGER_VERSION = "rules-0.1"
PIPELINE_LANGS = ("sv", "en")


MAX_TOPICS = 3


@dataclass
class _Compiled:
    keywords: TermMatcher
    topics: TermMatcher
    cues: TermMatcher
    rules: dict[str, list[list[str]]]  # message id -> rules -> cue entry ids


class Tagger:
    """Tags batches of texts against a strategy (pulse.settings.StrategyFile)."""

    version = TAGGER_VERSION

    def __init__(self, strategy, batch_size: int = 256):
        self.strategy = strategy
        self.batch_size = batch_size
        self._compiled: dict[str, _Compiled] = {}
        self._readers: dict[str, WordReader] = {}

    def _compile(self, lang: str) -> _Compiled:
        if lang in self._compiled:
            return self._compiled[lang]
        table = lemma_table(lang)
        keyword_terms = {k.id: list(getattr(k, lang)) for k in self.strategy.keyword}
        excludes = {k.id: k.exclude for k in self.strategy.keyword}
        cue_terms: dict[str, list[str]] = {}
        rules: dict[str, list[list[str]]] = {}
        for message in self.strategy.message:
            rules[message.id] = []
            for r, rule in enumerate(message.rules):
                group_ids = []
                for g, group in enumerate(rule):
                    cue_id = f"{message.id}/{r}/{g}"
                    cue_terms[cue_id] = [c.strip() for c in group.split("|") if c.strip()]
                    group_ids.append(cue_id)
                rules[message.id].append(group_ids)
        compounds = lang == "sv"
        topics = TermMatcher({t.id: t.terms for t in self.strategy.topic}, table,
                             {t.id: t.exclude for t in self.strategy.topic}, compounds)
        compiled = _Compiled(TermMatcher(keyword_terms, table, excludes, compounds), topics,
                             TermMatcher(cue_terms, table, compounds=compounds), rules)
        self._compiled[lang] = compiled
        return compiled

    def tag(self, records: Iterable[dict]) -> list[dict]:
        """Tag records in order; return one analyze-format dict per record."""
        records = list(records)
        out: list[dict | None] = [None] * len(records)
        for start in range(0, len(records), self.batch_size):
            chunk = records[start:start + self.batch_size]
            for offset, result in self._tag_chunk(chunk):
                out[start + offset] = result
        return out  # type: ignore[return-value]

    def _tag_chunk(self, records: Sequence[dict]):
        by_lang: dict[str, list[int]] = defaultdict(list)
        texts, langs = [], []
        for i, rec in enumerate(records):
            title = (rec.get("title") or "").strip()
            text = (rec.get("text") or "").strip()
            full = f"{title}.\n{text}" if title and not text.startswith(title) else text or title
            texts.append(full)
            lang = detect_language(full)
            langs.append(lang)
            by_lang[lang if lang in PIPELINE_LANGS else "en"].append(i)
        for pipe_lang, indices in by_lang.items():
            nlp = pipeline(pipe_lang)
            reader = self._reader(pipe_lang, nlp)
            compiled = self._compile(pipe_lang)
            docs = nlp.tokenizer.pipe((texts[i] for i in indices), batch_size=self.batch_size)
            for i, doc in zip(indices, docs, strict=True):
                yield i, self._tag_doc(records[i], langs[i], pipe_lang, doc, reader, compiled)

    def _reader(self, lang: str, nlp) -> WordReader:
        reader = self._readers.get(lang)
        if reader is None:
            reader = self._readers[lang] = WordReader(lemma_table(lang), nlp.vocab)
        return reader

    def _tag_doc(self, rec, lang, pipe_lang, doc, reader: WordReader,
                 compiled: _Compiled) -> dict:
        text_words = reader.read(doc)
        words = text_words.words
        sentence_scores = score_sentences(words, pipe_lang, text_words.n_sents,
                                          text_words.exclamations)
        sentiment: Sentiment = combine(sentence_scores)

        def aspect(sent: int) -> str:
            return label_of(normalise(sentence_scores[min(sent, len(sentence_scores) - 1)].total))

        keywords = _aggregate(compiled.keywords.find(words), aspect)
        topics = _top_topics(compiled.topics.find(words), aspect)
        messages = self._messages(compiled, words, aspect)
        voice = detect_voice(
            source_voice=rec.get("source_voice"), author=rec.get("author"), url=rec.get("url"),
            own_accounts=self.strategy.voice.own_accounts,
            own_domains=self.strategy.voice.own_domains)
        return {
            "id": rec.get("id"),
            "lang": lang,
            "sentiment": {"label": sentiment.label, "score": sentiment.score,
                          "evidence": sentiment.evidence},
            "keywords": keywords,
            "messages": messages,
            "topics": topics,
            "voice": voice,
        }

    def _messages(self, compiled: _Compiled, words, aspect) -> list[dict]:
        hits = compiled.cues.find(words)
        by_sent: dict[int, dict[str, list[Hit]]] = defaultdict(lambda: defaultdict(list))
        for hit in hits:
            by_sent[hit.sent][hit.entry].append(hit)
        found: dict[str, dict] = {}
        for sent, cue_hits in by_sent.items():
            for message_id, rules in compiled.rules.items():
                for groups in rules:
                    if not all(g in cue_hits for g in groups):
                        continue
                    evidence = [cue_hits[g][0].evidence for g in groups]
                    score = round(min(1.0, 0.5 + 0.2 * len(groups)), 2)
                    current = found.get(message_id)
                    if current is None or score > current["score"]:
                        found[message_id] = {"id": message_id, "score": score,
                                             "sentiment": aspect(sent), "evidence": evidence}
                    elif current is not None:
                        for e in evidence:
                            if e not in current["evidence"]:
                                current["evidence"].append(e)
        return sorted(found.values(), key=lambda m: m["id"])


def _top_topics(hits: list[Hit], aspect) -> list[dict]:
    """Return at most MAX_TOPICS topics, those with the most distinct evidence words."""
    tags = _aggregate(hits, aspect)
    for tag in tags:
        tag["score"] = round(min(1.0, 0.4 + 0.2 * len(tag["evidence"])), 2)
    tags.sort(key=lambda t: (-len(t["evidence"]), t["id"]))
    return sorted(tags[:MAX_TOPICS], key=lambda t: t["id"])


def _aggregate(hits: list[Hit], aspect) -> list[dict]:
    by_entry: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_entry[hit.entry].append(hit)
    tags = []
    for entry, entry_hits in sorted(by_entry.items()):
        best = max(entry_hits, key=lambda h: h.score)
        evidence = list(dict.fromkeys(h.evidence for h in entry_hits))
        tags.append({"id": entry, "score": best.score, "sentiment": aspect(best.sent),
                     "evidence": evidence})
    return tags
