"""The tagger: language, keywords, core messages, topics, benchmark cities, sentiment, voice,
target groups and intent, in one batched pass (docs/labelling.md defines every label).

Each batch goes through the same steps: language; words (spaCy's tokenizer and the lookup
lemmatizer); the rule matchers (the strategy's terms, the cue words of nlp/resources/cues.toml,
the sentiment lexicon); voice from the city's web estate; the shared features (nlp.features);
then the learned taggers (nlp.classify) where they are trained for this strategy, with the
rules as the fallback. Every tag carries the words that decided it.

Input records are dicts with "text" and optional "title", "id", "url", "author",
"author_description", "source_kind", "relation", "source_voice". Output records follow
`pulse analyze`'s format. Pure: no database access.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np

from nlp import features as feats
from nlp.audience import rule_audiences
from nlp.cities import CityMatcher, city_matcher
from nlp.classify import RULE_BOUND, TaggerModels, load_models
from nlp.intent import detect_intent
from nlp.language import detect_language
from nlp.lemmas import lemma_table, pipeline
from nlp.sentiment import combine, score_sentences
from nlp.vocabulary import Hit, TermMatcher
from nlp.voice import Estate, detect_voice, is_echo
from nlp.words import WordReader

RULES_VERSION = "rules-0.4"  # 0.4: phrase excludes, lemma fixes, neutral compounds
PIPELINE_LANGS = ("sv", "en")
MAX_TOPICS = 3
SENTIMENT_ORDER = ("negative", "neutral", "positive")


@cache
def cue_terms() -> dict[str, dict[str, list[str]]]:
    """Return the cue groups of nlp/resources/cues.toml: {group: {lang: terms}}."""
    path = resources.files("nlp") / "resources" / "cues.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


@dataclass
class _Compiled:
    matcher: TermMatcher  # keywords "k:", topics "t:", message cues "c:", cues "q:", groups "g:"
    rules: dict[str, list[list[str]]]  # message id -> rules -> cue entry ids
    rule_of: dict[str, tuple[int, str, int]] = field(default_factory=dict)  # cue id -> rule


@dataclass
class Prepared:
    """One mention after the rule steps: what the learned taggers and the output need."""

    record: dict
    lang: str
    text: str
    voice: str
    hits: dict[str, list[Hit]]
    lexicon: dict            # {"label", "score", "evidence"} of the lexicon and rules
    lexicon_features: tuple[float, float, float]
    encoded: feats.Encoded
    messages: list[dict]     # by the message rules
    audiences: list[dict]    # by the target-group cues


class Tagger:
    """Tags batches of texts against a strategy (pulse.settings.StrategyFile)."""

    def __init__(self, strategy, batch_size: int = 128, use_models: bool = True,
                 models: TaggerModels | None = None):
        self.strategy = strategy
        self.batch_size = batch_size
        self.use_models = use_models
        self._models = models
        self._compiled: dict[str, _Compiled] = {}
        self._readers: dict[str, WordReader] = {}
        self._cities: CityMatcher = city_matcher(getattr(strategy, "benchmark_city", None) or [])
        self.estate = Estate.of(strategy.voice)
        self._ids = {"keywords": strategy.ids("keyword"), "messages": strategy.ids("message"),
                     "topics": strategy.ids("topic"), "audiences": strategy.ids("target_group")}

    @property
    def models(self) -> TaggerModels | None:
        """Return the learned taggers in use (None: rules only)."""
        if not self.use_models:
            return None
        return self._models if self._models is not None else load_models()

    def learned(self, task: str) -> bool:
        """Return True when `task` is decided by a learned model trained for this strategy."""
        models = self.models
        if models is None or not models.has(task):
            return False
        kind = {"keywords": "keyword", "messages": "message", "topics": "topic",
                "audiences": "target_group"}.get(task)
        return kind is None or models.fits(kind, self._ids[task])

    @property
    def version(self) -> str:
        """Return the version stored with tags: the rules' version plus the models'."""
        models = self.models
        if models is None:
            return RULES_VERSION
        digest = hashlib.sha1(models.version.encode()).hexdigest()[:8]
        return f"{RULES_VERSION}+{digest}"

    def lexicon_scores(self, texts: Sequence[str]) -> list[tuple[float, float, float]]:
        """Return the lexicon-and-rules (score, positive sum, negative sum) of each text."""
        return [p.lexicon_features for p in self.prepare([{"text": t} for t in texts])]

    # --- the rule steps ---------------------------------------------------------------------

    def _compile(self, lang: str) -> _Compiled:
        if lang in self._compiled:
            return self._compiled[lang]
        table = lemma_table(lang)
        terms = {f"k:{k.id}": list(getattr(k, lang)) for k in self.strategy.keyword}
        excludes = {f"k:{k.id}": k.exclude for k in self.strategy.keyword}
        terms |= {f"t:{t.id}": t.terms for t in self.strategy.topic}
        excludes |= {f"t:{t.id}": t.exclude for t in self.strategy.topic}
        terms |= {f"q:{group}": langs.get(lang, []) for group, langs in cue_terms().items()}
        terms |= {f"g:{g.id}": g.cues for g in self.strategy.target_group if g.cues}
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
        # Each cue group belongs to one rule: a sentence only checks the rules of its cues.
        rule_of: dict[str, tuple[int, str, int]] = {}
        order = 0
        for message_id, message_rules in rules.items():
            for r, groups in enumerate(message_rules):
                rule_of |= {cue: (order, message_id, r) for cue in groups}
                order += 1
        compiled = _Compiled(TermMatcher(terms, table, excludes, compounds=lang == "sv"), rules,
                             rule_of)
        self._compiled[lang] = compiled
        return compiled

    def _reader(self, lang: str, nlp) -> WordReader:
        reader = self._readers.get(lang)
        if reader is None:
            reader = self._readers[lang] = WordReader(lemma_table(lang), nlp.vocab)
        return reader

    def prepare(self, records: Sequence[dict]) -> list[Prepared]:
        """Run the rule steps over records (in order): what training and tagging share."""
        out: list[Prepared | None] = [None] * len(records)
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
                out[i] = self._prepare_one(records[i], langs[i], pipe_lang, doc, reader,
                                           compiled, texts[i])
        return out  # type: ignore[return-value]

    def _prepare_one(self, rec: dict, lang: str, pipe_lang: str, doc, reader: WordReader,
                     compiled: _Compiled, text: str) -> Prepared:
        text_words = reader.read(doc)
        words = text_words.words
        lexicon_lang = pipe_lang if lang in PIPELINE_LANGS else None
        sentences = (score_sentences(words, lexicon_lang, text_words.n_sents,
                                     text_words.exclamations) if lexicon_lang
                     else score_sentences([], "en", text_words.n_sents, []))
        lexicon = combine(sentences)
        hits: dict[str, list[Hit]] = defaultdict(list)
        for hit in compiled.matcher.find(words):
            hits[hit.entry[0]].append(hit)
        positive = sum(w for s in sentences for _, w in s.evidence if w > 0)
        negative = -sum(w for s in sentences for _, w in s.evidence if w < 0)
        voice = detect_voice(source_voice=rec.get("source_voice"), author=rec.get("author"),
                             url=rec.get("url"), estate=self.estate,
                             source_kind=rec.get("source_kind"))
        index_of = {w.start: n for n, w in enumerate(words)}
        lexicon_words = [(index_of[start], weight) for s in sentences
                         for start, weight in s.positions if start in index_of]
        cues: dict[str, list[int]] = defaultdict(list)
        for hit in hits["q"]:
            cues[hit.entry[2:]].append(hit.first)
        messages = self._messages(compiled, hits["c"])
        audiences = rule_audiences(self.strategy.target_group, hits["g"], rec.get("author"),
                                   rec.get("author_description"), rec.get("url"))
        encoded = feats.encode(
            words, lang=lang, voice=voice, kind=rec.get("source_kind"),
            relation=rec.get("relation"), author=rec.get("author"),
            author_description=rec.get("author_description"), url=rec.get("url"), text=text,
            lexicon=(lexicon.score, positive, negative), lexicon_words=lexicon_words,
            cues=cues)
        # The rule taggers' findings are features of the learned ones.
        encoded.profile_tokens += [f"r:{h.entry}" for kind in ("k", "t") for h in hits[kind]]
        encoded.profile_tokens += [f"r:m:{m['id']}" for m in messages]
        encoded.profile_tokens += [f"r:g:{a['id']}" for a in audiences]
        return Prepared(rec, lang, text, voice, hits,
                        {"label": lexicon.label, "score": lexicon.score,
                         "evidence": lexicon.evidence},
                        (lexicon.score, positive, negative), encoded, messages, audiences)

    def _messages(self, compiled: _Compiled, hits: list[Hit]) -> list[dict]:
        by_sent: dict[int, dict[str, list[Hit]]] = defaultdict(lambda: defaultdict(list))
        for hit in hits:
            by_sent[hit.sent][hit.entry].append(hit)
        found: dict[str, dict] = {}
        for cue_hits in by_sent.values():
            candidates = sorted({compiled.rule_of[cue] for cue in cue_hits})
            for _, message_id, r in candidates:
                groups = compiled.rules[message_id][r]
                if all(g in cue_hits for g in groups):
                    evidence = [cue_hits[g][0].evidence for g in groups]
                    score = round(min(1.0, 0.5 + 0.2 * len(groups)), 2)
                    current = found.get(message_id)
                    if current is None or score > current["score"]:
                        found[message_id] = {"id": message_id, "score": score,
                                             "evidence": evidence}
                    else:
                        for e in evidence:
                            if e not in current["evidence"]:
                                current["evidence"].append(e)
        return sorted(found.values(), key=lambda m: m["id"])

    # --- tagging ----------------------------------------------------------------------------

    def tag(self, records: Iterable[dict],
            on_chunk: Callable[[int], None] | None = None) -> list[dict]:
        """Tag records in order; return one analyze-format dict per record. `on_chunk(n)` is
        called after each chunk of n records (for progress bars)."""
        records = list(records)
        out: list[dict] = []
        for start in range(0, len(records), self.batch_size):
            chunk = records[start:start + self.batch_size]
            out += self._tag_chunk(chunk)
            if on_chunk:
                on_chunk(len(chunk))
        return out

    def _tag_chunk(self, records: Sequence[dict]) -> list[dict]:
        prepared = self.prepare(records)
        models = self.models
        X = feats.matrix([p.encoded for p in prepared]) if models is not None else None
        probs = models.probabilities(X, [t for t in models.tasks if self.learned(t)]) \
            if models is not None else {}
        results = []
        for n, p in enumerate(prepared):
            results.append(self._result(p, n, X, probs, models))
        return results

    def _result(self, p: Prepared, n: int, X, probs: dict, models) -> dict:
        row = feats.Row(X.indices[X.indptr[n]:X.indptr[n + 1]],
                        X.data[X.indptr[n]:X.indptr[n + 1]]) if X is not None else None
        explain = _Explainer(models, p, row) if models is not None else None
        sentiment = self._sentiment(p, explain, probs.get("sentiment"), n, models)
        label = sentiment["label"]
        keywords = self._multi("keywords", "k", p, explain, probs, n, models, label)
        topics = self._multi("topics", "t", p, explain, probs, n, models, label)
        messages = self._multi("messages", None, p, explain, probs, n, models, label)
        audiences = self._multi("audiences", None, p, explain, probs, n, models, label)
        if "intent" in probs:
            intent, intent_confidence, intent_evidence = self._single(
                models, "intent", probs["intent"][n], p, explain)
        else:
            intent, intent_evidence = detect_intent(p.text, label, sentiment["score"], p.voice)
            intent_confidence = None
        rec = p.record
        return {
            "id": rec.get("id"), "lang": p.lang, "sentiment": sentiment,
            "keywords": keywords, "messages": messages, "topics": topics,
            "audiences": audiences, "voice": p.voice,
            "echo": is_echo(voice=p.voice, relation=rec.get("relation"), text=p.text,
                            parent_author=rec.get("parent_author"),
                            own_accounts=self.strategy.voice.own_accounts),
            "intent": intent, "intent_evidence": intent_evidence,
            "intent_confidence": intent_confidence,
            "cities": self._cities.find(p.text),
        }

    def _sentiment(self, p: Prepared, explain, proba, n: int, models) -> dict:
        if proba is None:
            return {**p.lexicon, "confidence": None}
        task = models.tasks["sentiment"]
        probs = proba[n]
        order = list(task.labels)
        by_label = {label: float(probs[order.index(label)]) for label in SENTIMENT_ORDER}
        label = max(by_label, key=by_label.get)
        score = round(by_label["positive"] - by_label["negative"], 3)
        runner = max((lab for lab in SENTIMENT_ORDER if lab != label), key=by_label.get)
        contributions = explain("sentiment", label, runner)
        evidence = feats.top_words(p.encoded, contributions)
        sign = {"positive": 1, "negative": -1, "neutral": 0}[label]
        evidence = [{"text": e["text"], "weight": round(sign * abs(e["weight"]), 2)}
                    for e in evidence if e["weight"] > 0]
        return {"label": label, "score": score, "confidence": round(by_label[label], 3),
                "probabilities": {k: round(v, 3) for k, v in by_label.items()},
                "evidence": evidence}

    def _single(self, models, name: str, probs: np.ndarray, p: Prepared,
                explain) -> tuple[str, float, list]:
        task = models.tasks[name]
        order = np.argsort(-probs)
        label, runner = task.labels[order[0]], task.labels[order[1]]
        words = feats.top_words(p.encoded, explain(name, label, runner), k=3)
        return label, round(float(probs[order[0]]), 3), [w["text"] for w in words
                                                         if w["weight"] > 0]

    def _multi(self, task: str, namespace: str | None, p: Prepared, explain, probs: dict,
               n: int, models, label: str) -> list[dict]:
        """Tags of a multi-label task: the model's ids above their thresholds (at most three
        topics), or, untrained, the rule taggers' findings."""
        rule_tags = self._rule_tags(task, namespace, p)
        if task not in probs:
            return [{**t, "sentiment": label} for t in rule_tags]
        model = models.tasks[task]
        by_rule = {t["id"]: t for t in rule_tags}
        chosen = [(float(probs[task][n][i]), ident) for i, ident in enumerate(model.labels)
                  if probs[task][n][i] >= model.thresholds.get(ident, 0.5)
                  and (task not in RULE_BOUND or ident in by_rule)]
        chosen.sort(reverse=True)
        if task == "topics":
            chosen = chosen[:MAX_TOPICS]
        tags = []
        for prob, ident in sorted(chosen, key=lambda c: c[1]):
            evidence = list(by_rule[ident]["evidence"]) if ident in by_rule else []
            if not evidence:
                evidence = [w["text"] for w in feats.top_words(
                    p.encoded, explain(task, ident), k=3) if w["weight"] > 0]
            tags.append({"id": ident, "score": round(prob, 3), "sentiment": label,
                         "evidence": evidence})
        return tags

    def _rule_tags(self, task: str, namespace: str | None, p: Prepared) -> list[dict]:
        if task == "messages":
            return p.messages
        if task == "audiences":
            return p.audiences
        tags = _aggregate(p.hits[namespace])
        if task == "topics":
            for tag in tags:
                tag["score"] = round(min(1.0, 0.4 + 0.2 * len(tag["evidence"])), 2)
            tags.sort(key=lambda t: (-len(t["evidence"]), t["id"]))
            tags = sorted(tags[:MAX_TOPICS], key=lambda t: t["id"])
        return tags


class _Explainer:
    """What each word of one mention added to any label's score: computed for every label
    of every task in one product, the first time a tag is explained."""

    def __init__(self, models: TaggerModels, p: Prepared, row):
        self.models, self.p, self.row = models, p, row
        self._all: np.ndarray | None = None

    def __call__(self, task: str, label: str, minus: str | None = None) -> np.ndarray:
        """Return per word what it added to `label`'s score (less what it added to `minus`)."""
        if self._all is None:
            self._all = self.models.contributions(
                len(self.p.encoded.words), feats.word_shares(self.p.encoded, self.row))
        got = self._all[:, self.models.label_index(task, label)]
        if minus is not None:
            got = got - self._all[:, self.models.label_index(task, minus)]
        return got


def _aggregate(hits: list[Hit]) -> list[dict]:
    by_entry: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_entry[hit.entry[2:]].append(hit)  # strip the namespace ("k:", "t:")
    tags = []
    for entry, entry_hits in sorted(by_entry.items()):
        best = max(entry_hits, key=lambda h: h.score)
        tags.append({"id": entry, "score": best.score,
                     "evidence": list(dict.fromkeys(h.evidence for h in entry_hits))})
    return tags

