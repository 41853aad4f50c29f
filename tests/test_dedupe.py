"""Dedupe: canonical URLs, identical texts and near-duplicate syndicated news form one story."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from collectors.base import Item
from pulse.settings import SourceConfig
from store import similarity
from store.db import transaction
from store.keys import canonical_url
from store.models import Mention
from store.queries import Filters, count_mentions
from store.stories import group_pending
from store.writes import save_items, sync_sources

WIRE = ("Stockholms stad lanserar en ny e-tjänst för bygglov som ska korta handläggningstiden "
        "med flera veckor. Tjänsten har testats av 300 invånare under våren och kritiken har "
        "främst gällt tillgängligheten för personer som använder skärmläsare.")
EDITED = ("Stockholms stad lanserar nu en ny e-tjänst för bygglov som ska korta "
          "handläggningstiden med flera veckor. Tjänsten har testats av 300 invånare under "
          "våren, och kritiken har främst gällt tillgängligheten för dem som använder "
          "skärmläsare. (TT)")
OTHER = ("Trafikkontoret vill sätta upp fler sensorer längs Essingeleden för att mäta buller "
         "och luftkvalitet. Förslaget ska behandlas i trafiknämnden i december och kostar "
         "omkring fyra miljoner kronor.")


def _item(ext, text, url=None, hour=8):
    return Item(ext, "news", text, datetime(2026, 11, 2, hour, tzinfo=UTC), url=url)


def _stories(engine):
    with transaction(engine) as session:
        return {m.external_id: m.story_id or m.id for m in session.scalars(select(Mention))}


def test_canonical_url_drops_tracking_and_fragment():
    assert canonical_url("HTTPS://News.Example:443/a?utm_source=x&b=2&a=1&fbclid=z#top") == \
        "https://news.example/a?a=1&b=2"
    assert canonical_url("https://blog.example/p/#comment-7", keep_fragment=True) == \
        "https://blog.example/p/#comment-7"


def test_minhash_similarity_separates_edits_from_other_texts():
    wire, edited, other = (similarity.signature(t) for t in (WIRE, EDITED, OTHER))
    assert similarity.similarity(wire, edited) >= similarity.THRESHOLD
    assert similarity.similarity(wire, other) < 0.2
    assert similarity.signature("Bra jobbat!") is None


def test_syndicated_copies_are_one_story_counted_once(engine):
    configs = [SourceConfig(key=k, kind="feed", url=f"https://{k}.example/feed")
               for k in ("wire", "paper", "blog")]
    with transaction(engine) as session:
        sources = sync_sources(session, configs)
        save_items(session, sources["wire"], [_item("w1", WIRE, "https://wire.example/1"),
                                              _item("w2", OTHER, "https://wire.example/2")])
    with transaction(engine) as session:
        sources = sync_sources(session, configs)
        save_items(session, sources["paper"], [
            _item("p1", EDITED, "https://paper.example/1", hour=9),
            _item("p2", WIRE, "https://paper.example/2?utm_source=wire", hour=9),
        ])
        save_items(session, sources["blog"], [
            _item("b1", "Kort: se artikeln", "https://wire.example/2?utm_medium=rss#x"),
            _item("b2", "Bra jobbat!", "https://blog.example/b2"),
            _item("b3", "Bra jobbat!", "https://blog.example/b3"),
        ])
    with transaction(engine) as session:
        assert group_pending(session, limit=3) == 3  # batches continue where they stopped
    with transaction(engine) as session:
        assert group_pending(session) == 4
        assert group_pending(session) == 0
    stories = _stories(engine)
    assert stories["p1"] == stories["p2"] == stories["w1"]    # near-duplicate and identical
    assert stories["b1"] == stories["w2"]                      # same canonical URL
    assert stories["b2"] != stories["b3"]                      # short texts are never merged
    assert len(set(stories.values())) == 4
    with transaction(engine) as session:
        assert count_mentions(session, Filters(), tagged_only=False) == 4
        assert session.scalar(select(Mention.id).where(Mention.external_id == "p1"))
