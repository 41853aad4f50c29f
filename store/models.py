"""SQLAlchemy 2.x models: sources, their fetch state, authors, mentions and tags.

Times are stored as UTC. Each mention also keeps its Europe/Stockholm day and week
(Monday) so that buckets are plain GROUP BYs on every database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always returned timezone-aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Pulse stores only timezone-aware times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, datetime: UTCDateTime}


class Source(Base):
    """A configured source (feed, blog comments, X account …), synced from config/sources.toml."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[str | None] = mapped_column(Text)
    voice: Mapped[str | None] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    state: Mapped[FetchState | None] = relationship(back_populates="source", uselist=False)


class FetchState(Base):
    """Per-source cursor (ETag, Last-Modified, since_id …) and health."""

    __tablename__ = "fetch_state"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    cursor: Mapped[dict] = mapped_column(JSON, default=dict)
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error_kind: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(Text)
    items_last_run: Mapped[int] = mapped_column(Integer, default=0)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failure_score: Mapped[float] = mapped_column(Float, default=0.0)  # weighted: hard errors more
    disabled_at: Mapped[datetime | None]  # set past the threshold; `pulse sources --enable` clears
    next_due_at: Mapped[datetime | None]
    # What was wrong with the last successful answer without failing it (broken XML whose
    # entries were read, a wrong charset label); cleared by a clean run.
    last_warning: Mapped[str | None] = mapped_column(Text)
    last_warning_at: Mapped[datetime | None]

    source: Mapped[Source] = relationship(back_populates="state")


class Author(Base):
    """Who wrote a mention. The one place where author identity lives (GDPR erasure, pseudonyms)."""

    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("platform", "handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(40))
    handle: Mapped[str] = mapped_column(String(300))
    name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    followers: Mapped[int | None] = mapped_column(Integer)
    verified: Mapped[bool | None] = mapped_column(Boolean)
    # Who the author is (store.privacy): "private" (a private person: handle and name are a
    # keyed hash), or a public category that keeps its name ("media", "public_body",
    # "organisation", "public_figure"). NULL: stored before authors were classified (0012).
    category: Mapped[str | None] = mapped_column(String(20))


class Mention(Base):
    """One collected item: a news article, blog post, blog comment, post on X …"""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id", name="uq_mentions_source_external"),
        Index("ix_mentions_published_at", "published_at"),
        # Covers every dashboard read of a period (store.queries), so a 12-week period is read
        # from the index alone; (local_day, published_at) also orders the newest-first list.
        Index("ix_mentions_day", "local_day", "published_at", "voice", "local_week",
              "sentiment", "tagger_version", "story_id", "source_id", "lang",
              "response_status"),
        # The same for a source or channel filter: its sources' mentions of the period only.
        Index("ix_mentions_source_day", "source_id", "local_day", "voice", "local_week",
              "sentiment", "tagger_version", "story_id", "lang", "response_status"),
        Index("ix_mentions_canonical_url", "canonical_url"),
        Index("ix_mentions_content_hash", "content_hash"),
        Index("ix_mentions_tagged_version", "tagger_version"),
        Index("ix_mentions_conversation", "conversation_id"),
        Index("ix_mentions_story", "story_id"),
        Index("ix_mentions_story_checked", "story_checked"),
        Index("ix_mentions_response_status", "response_status"),
        # An author's mentions: erasure, retention's orphaned authors, the top authors.
        Index("ix_mentions_author", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(String(1000))
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id", ondelete="SET NULL"))
    parent_external_id: Mapped[str | None] = mapped_column(String(500))
    parent_url: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime]
    local_day: Mapped[date] = mapped_column(Date)
    local_week: Mapped[date] = mapped_column(Date)
    collected_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[dict] = mapped_column(JSON, default=dict)
    conversation_id: Mapped[str | None] = mapped_column(String(100))
    relation: Mapped[str | None] = mapped_column(String(20))
    engagement: Mapped[dict | None] = mapped_column(JSON)
    story_id: Mapped[int | None] = mapped_column(Integer)  # first copy's id; NULL: is the first
    story_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Current mention-level labels, written by the tagger together with its tags.
    voice: Mapped[str] = mapped_column(String(20), default="third_party")
    lang: Mapped[str | None] = mapped_column(String(8))
    sentiment: Mapped[str | None] = mapped_column(String(10))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    tagger_version: Mapped[str | None] = mapped_column(String(40))
    tagged_at: Mapped[datetime | None]
    # Analysts' follow-up: NULL, "needs_answer" or "answered"; history in `responses`.
    response_status: Mapped[str | None] = mapped_column(String(20))
    # When retention removed a private person's text, raw payload, link and author (its tags,
    # story and every figure stay); NULL: not redacted.
    redacted_at: Mapped[datetime | None]

    source: Mapped[Source] = relationship()
    author: Mapped[Author | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(back_populates="mention", cascade="all, delete-orphan")


class Tag(Base):
    """One tag of a mention: kind (keyword, message …), value, score, evidence.

    `confidence` is the tagger's calibrated probability of a one-valued decision (sentiment,
    intent): how sure it was of this label. NULL when unknown: tags written before it was
    kept (migration 0011), rule taggers, analysts' corrections. A multi-label tag's `score`
    is already its probability (learned taggers).

    `origin` is "machine" (the tagger) or "correction" (an analyst's correction). A machine
    tag that a correction overrules stays, inactive (`active` false), so that undoing the
    correction brings it back; figures read active tags only."""

    __tablename__ = "tags"
    __table_args__ = (
        # A mention's current tags of one kind, read from the index alone (store.queries).
        Index("ix_tags_current", "mention_id", "kind", "tagger_version", "active", "value",
              "sentiment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(60))
    score: Mapped[float] = mapped_column(Float, default=1.0)
    confidence: Mapped[float | None] = mapped_column(Float)
    sentiment: Mapped[str | None] = mapped_column(String(10))
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    tagger_version: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    origin: Mapped[str] = mapped_column(String(12), default="machine",
                                        server_default="machine")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mention: Mapped[Mention] = relationship(back_populates="tags")


class MentionBand(Base):
    """LSH band keys of a mention's MinHash signature, to find near-duplicates by index."""

    __tablename__ = "mention_bands"
    __table_args__ = (Index("ix_mention_bands_band", "band"),)

    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class Correction(Base):
    """An analyst's correction of a mention's tag. Never overwritten; wins over machine tags
    and applies to every copy of the same story. An "undo" correction (`undoes` set) takes an
    earlier one back, so the machine's tag shows again; both stay as the record."""

    __tablename__ = "corrections"
    __table_args__ = (Index("ix_corrections_mention", "mention_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))     # sentiment, keyword, message, topic …
    value: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(10))   # set (one-valued kinds), add, remove, undo
    undoes: Mapped[int | None] = mapped_column(
        ForeignKey("corrections.id", ondelete="CASCADE", name="fk_corrections_undoes"))
    author: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Confirmation(Base):
    """An analyst's confirmation that the machine read a mention right (the review queue).

    A table of its own rather than a kind of Correction: a confirmation changes no tag and no
    figure, so it must never go through apply_corrections (which re-derives tags and the
    rollup), and it confirms several labels at once. `labels` is what was confirmed, as the
    labelled-mention fields training reads ({"sentiment": "negative", "intent": "question",
    "keywords": [...], "messages": [...], "topics": [...], "audiences": [...]}), copied from
    the mention's effective tags of `tagger_version` at that moment, so a later retag cannot
    change what the analyst confirmed. Undoing sets `undone_at` and `undone_by`; the row stays
    as the record."""

    __tablename__ = "confirmations"
    __table_args__ = (Index("ix_confirmations_mention", "mention_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    tagger_version: Mapped[str] = mapped_column(String(40))
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    author: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(200))


RESPONSE_STATUSES = ("needs_answer", "answered")


class Response(Base):
    """One change of a mention's follow-up status ("needs answer", "answered", cleared), kept
    as history; the mention's `response_status` holds the latest."""

    __tablename__ = "responses"
    __table_args__ = (Index("ix_responses_mention", "mention_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id", ondelete="CASCADE"))
    status: Mapped[str | None] = mapped_column(String(20))  # NULL: cleared
    author: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailyCount(Base):
    """Stories per local day and every dimension the dashboard filters by, kept in the same
    transaction as tagging and corrections (store.rollups), so that period figures at millions
    of mentions are sums over a small table instead of joins over the big ones.

    A story counts once, as its first copy (the mention whose story_id is NULL) with that
    copy's day, source, voice, language and labels. `kind` is "" for the story itself, a tag
    kind ("keyword", "topic" …) for its tags, or a pair ("audience+intent") whose `value` is
    the two values joined by a tab; `aspect` is the tag's aspect sentiment ("" for none)."""

    __tablename__ = "daily_counts"
    __table_args__ = (
        Index("ix_daily_counts_kind_day", "kind", "day", "voice", "value", "aspect",
              "sentiment", "source_id", "lang", "week", "n"),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    voice: Mapped[str] = mapped_column(String(20), primary_key=True)
    source_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)
    sentiment: Mapped[str] = mapped_column(String(10), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(130), primary_key=True)
    aspect: Mapped[str] = mapped_column(String(10), primary_key=True)
    week: Mapped[date] = mapped_column(Date)
    n: Mapped[int] = mapped_column(Integer)


# --- reports: sent-log of digests and alerts, job health, sources' days ----------------------

class Delivery(Base):
    """One digest or alert to one recipient (an address, or "webhook"): the sent-log that
    makes a digest go out once per week and recipient, and an alert once per cooldown.

    `topic` groups what a cooldown covers ("digest", or an alert rule and its scope); `key`
    is the one item (the ISO week "2026-W48", or the alert's rule, scope and time)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("kind", "key", "recipient", name="uq_deliveries_kind_key_recipient"),
        Index("ix_deliveries_topic", "kind", "topic", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))         # digest | alert
    topic: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))       # sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class JobState(Base):
    """Health of a scheduled job other than collecting (digest, alerts): last run, last
    success, last error."""

    __tablename__ = "job_state"

    job: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)


class SourceDay(Base):
    """What collecting one source did on one local day: runs, failures (the last one's kind
    and detail), runs skipped because it was disabled, new items. What Pulse could not see in
    a week or a quarter is read from here; fetch_state keeps only the latest."""

    __tablename__ = "source_days"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_runs: Mapped[int] = mapped_column(Integer, default=0)
    new_items: Mapped[int] = mapped_column(Integer, default=0)
    last_error_kind: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """One thing done to the data that someone may have to account for: an export, an
    erasure, a retention run, a correction, a login (store.audit). Never updated; who (an
    e-mail or the operating-system user for the command line), when, what, which filter and how
    many rows. It never holds a resident's handle or text: an erasure records the pseudonym."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"), Index("ix_audit_log_action", "action"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(40))   # export, erase, retention, correction …
    target: Mapped[str | None] = mapped_column(String(300))  # a mention id, a format …
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    rows: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class Erasure(Base):
    """What was erased on request, so that collecting never brings it back: an author
    ("author", their pseudonym "anon:…", the keyed hash of the handle, whether they were a
    private person or not) or one mention ("mention", "source id:external id")."""

    __tablename__ = "erasures"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_erasures_kind_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(600))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
