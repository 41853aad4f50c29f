"""The tagger: language, keywords, core messages, topics, benchmark cities, sentiment and voice
in one batched pass.

Input records are dicts with "text" and optional "title", "id", "url", "author", "source",
"source_voice". Output records follow `pulse analyze`'s format. Pure: no database access.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from nlp.audience import detect_audience
from nlp.cities import CityMatcher, city_matcher
from nlp.intent import detect_intent
from nlp.language import detect_language
from nlp.lemmas import lemma_table, pipeline
from nlp.sentiment import Sentiment, combine, label_of, normalise, score_sentences
from nlp.sentiment_model import LABELS, load_model
from nlp.vocabulary import Hit, TermMatcher
from nlp.voice import detect_voice, is_echo
from nlp.words import WordReader

TAGGER_VERSION = "rules-0.2"  # 0.2: benchmark cities
PIPELINE_LANGS = ("sv", "en")


MAX_TOPICS = 3


@dataclass
class _Compiled:
    matcher: TermMatcher  # keywords ("k:…"), topics ("t:…") and message cues ("c:…") at once
    rules: dict[str, list[list[str]]]  # message id -> rules -> cue entry ids


class Tagger:
    """Tags batches of texts against a strategy (pulse.settings.StrategyFile)."""

    def __init__(self, strategy, batch_size: int = 64, use_models: bool = True):
        self.strategy = strategy
        self.batch_size = batch_size
        self.use_models = use_models
        self._compiled: dict[str, _Compiled] = {}
        self._readers: dict[str, WordReader] = {}
        self._cities: CityMatcher = city_matcher(getattr(strategy, "benchmark_city", None) or [])

    @property
    def version(self) -> str:
        """Return the version stored with tags: rules version plus the sentiment models'."""
        models = [m.version for m in (load_model("sv"), load_model("en"))
                  if m is not None and self.use_models]
        if not models:
            return TAGGER_VERSION
        return f"{TAGGER_VERSION}+{hashlib.sha1('+'.join(models).encode()).hexdigest()[:8]}"

    def lexicon_scores(self, texts: Sequence[str]) -> list[tuple[float, float, float]]:
        """Return the lexicon-and-rules (score, positive sum, negative sum) of each text, the
        features the sentiment models are trained with."""
        results = self.tag([{"text": t, "_keep_lexicon": True} for t in texts])
        return [r.pop("_lexicon_features") for r in results]

    def _compile(self, lang: str) -> _Compiled:
        if lang in self._compiled:
            return self._compiled[lang]
        table = lemma_table(lang)
        terms = {f"k:{k.id}": list(getattr(k, lang)) for k in self.strategy.keyword}
        excludes = {f"k:{k.id}": k.exclude for k in self.strategy.keyword}
        terms |= {f"t:{t.id}": t.terms for t in self.strategy.topic}
        excludes |= {f"t:{t.id}": t.exclude for t in self.strategy.topic}
        rules: dict[str, list[list[str]]] = {}
        for message in self.strategy.message:
            rules[message.id] = []
            for r, rule in enumerate(message.rules):
                group_ids = []
                for g, group in enumerate(rule):
                    cue_id = f"c:{message.id}/{r}/{g}"
                    terms[cue_id] = [c.strip() for c in group.split("|") if c.strip()]
                    group_ids.append(cue_id)
                rules[message.id].append(group_ids)
        compiled = _Compiled(TermMatcher(terms, table, excludes, compounds=lang == "sv"), rules)
        self._compiled[lang] = compiled
        return compiled

    def tag(self, records: Iterable[dict],
            on_chunk: Callable[[int], None] | None = None) -> list[dict]:
        """Tag records in order; return one analyze-format dict per record. `on_chunk(n)` is
        called after each chunk of n records (for progress bars)."""
        records = list(records)
        out: list[dict | None] = [None] * len(records)
        for start in range(0, len(records), self.batch_size):
            chunk = records[start:start + self.batch_size]
            for offset, result in self._tag_chunk(chunk):
                out[start + offset] = result
            if on_chunk:
                on_chunk(len(chunk))
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
            partial = [self._tag_doc(records[i], langs[i], pipe_lang, doc, reader, compiled,
                                     texts[i]) for i, doc in zip(indices, docs, strict=True)]
            self._apply_models(partial, [texts[i] for i in indices])
            for i, result in zip(indices, partial, strict=True):
                self._finish(records[i], result)
                yield i, result

    def _reader(self, lang: str, nlp) -> WordReader:
        reader = self._readers.get(lang)
        if reader is None:
            reader = self._readers[lang] = WordReader(lemma_table(lang), nlp.vocab)
        return reader

    def _apply_models(self, results: list[dict], texts: list[str]) -> None:
        """Replace the lexicon's mention-level sentiment by the language model's, in one batch
        per language; the lexicon's evidence words stay as the explanation."""
        groups: dict[str, list[int]] = defaultdict(list)
        for n, result in enumerate(results):
            groups[result["lang"] if result["lang"] in PIPELINE_LANGS else "sv"].append(n)
        for lang, members in groups.items():
            model = load_model(lang) if self.use_models else None
            if model is None:
                continue
            probs = model.predict_proba([texts[n] for n in members],
                                        [results[n]["_lexicon"] for n in members])
            for n, p in zip(members, probs, strict=True):
                sentiment = results[n]["sentiment"]
                sentiment["label"] = LABELS[int(np.argmax(p))]
                sentiment["score"] = round(float(p[2] - p[0]), 3)

    def _tag_doc(self, rec, lang, pipe_lang, doc, reader: WordReader,
                 compiled: _Compiled, text: str) -> dict:
        text_words = reader.read(doc)
        words = text_words.words
        lexicon_lang = pipe_lang if lang in PIPELINE_LANGS else None
        sentence_scores = (score_sentences(words, lexicon_lang, text_words.n_sents,
                                           text_words.exclamations) if lexicon_lang
                           else score_sentences([], "en", text_words.n_sents, []))
        sentiment: Sentiment = combine(sentence_scores)

        def aspect(sent: int) -> str:
            return label_of(normalise(sentence_scores[min(sent, len(sentence_scores) - 1)].total))

        hits: dict[str, list[Hit]] = {"k": [], "t": [], "c": []}
        for hit in compiled.matcher.find(words):
            hits[hit.entry[0]].append(hit)
        positive = sum(w for s in sentence_scores for _, w in s.evidence if w > 0)
        negative = -sum(w for s in sentence_scores for _, w in s.evidence if w < 0)
        return {
            "id": rec.get("id"),
            "lang": lang,
            "sentiment": {"label": sentiment.label, "score": sentiment.score,
                          "evidence": sentiment.evidence},
            "keywords": _aggregate(hits["k"], aspect),
            "messages": self._messages(compiled, hits["c"], aspect),
            "topics": _top_topics(hits["t"], aspect),
            "_lexicon": (sentiment.score, positive, negative),
            "_text": text,
        }

    def _finish(self, rec: dict, result: dict) -> None:
        """Add what depends on the final sentiment: voice, echo, audience, intent; and the
        benchmark cities named (whose tags take the mention's sentiment)."""
        lexicon = result.pop("_lexicon", None)
        if rec.get("_keep_lexicon"):
            result["_lexicon_features"] = lexicon
        text = result.pop("_text")
        sentiment = result["sentiment"]
        own = self.strategy.voice
        voice = detect_voice(
            source_voice=rec.get("source_voice"), author=rec.get("author"), url=rec.get("url"),
            own_accounts=own.own_accounts, own_domains=own.own_domains,
            own_names=own.own_names, source_kind=rec.get("source_kind"))
        intent, intent_evidence = detect_intent(text, sentiment["label"], sentiment["score"],
                                                voice)
        audience, audience_score, audience_evidence = detect_audience(
            text=text, voice=voice, author=rec.get("author"),
            author_description=rec.get("author_description"), url=rec.get("url"))
        result["audiences"] = [{"id": audience, "score": audience_score,
                                "sentiment": sentiment["label"], "evidence": audience_evidence}]
        result["voice"] = voice
        result["echo"] = is_echo(voice=voice, relation=rec.get("relation"), text=text,
                                 parent_author=rec.get("parent_author"),
                                 own_accounts=own.own_accounts)
        result["intent"] = intent
        result["intent_evidence"] = intent_evidence
        result["cities"] = self._cities.find(text)

    def _messages(self, compiled: _Compiled, hits: list[Hit], aspect) -> list[dict]:
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
        by_entry[hit.entry[2:]].append(hit)  # strip the namespace ("k:", "t:")
    tags = []
    for entry, entry_hits in sorted(by_entry.items()):
        best = max(entry_hits, key=lambda h: h.score)
        evidence = list(dict.fromkeys(h.evidence for h in entry_hits))
        tags.append({"id": entry, "score": best.score, "sentiment": aspect(best.sent),
                     "evidence": evidence})
    return tags
