"""The tables of the store: one schema for SQLite and PostgreSQL.

Changes to this module need a migration under ``migrations/versions``; a test
compares the two so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ticketlens.store._types import JSONType, UTCDateTime

# Explicit constraint names so migrations are the same on every engine.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

REVIEW_STATES = ("suggested", "approved", "edited", "rejected")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
    }


class Requester(Base):
    """A customer, known only by a keyed pseudonym (or the raw id if the team opts out)."""

    __tablename__ = "requesters"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    first_seen_at: Mapped[dt.datetime | None]


class Import(Base):
    """One run of ``ticketlens ingest``: what it read and what it did with each row."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    actor: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(100))
    format: Mapped[str] = mapped_column(String(40))
    files: Mapped[list[str]] = mapped_column(JSONType)
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_new: Mapped[int] = mapped_column(default=0)
    rows_updated: Mapped[int] = mapped_column(default=0)
    rows_unchanged: Mapped[int] = mapped_column(default=0)
    rows_quarantined: Mapped[int] = mapped_column(default=0)
    #: rows joined to a ticket's thread (a reply, a later event of an incident)
    rows_threaded: Mapped[int] = mapped_column(default=0)
    #: rows left out with a reason (a brand reply without its opener, an older copy)
    rows_skipped: Mapped[int] = mapped_column(default=0)


class Ticket(Base):
    """A support ticket, normalised; text is stored as imported (redaction comes first)."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_requester_id", "requester_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime | None]
    first_response_at: Mapped[dt.datetime | None]
    solved_at: Mapped[dt.datetime | None]
    status: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str | None] = mapped_column(String(40))
    priority: Mapped[str | None] = mapped_column(String(40))
    group_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("requesters.id"))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSONType)
    custom_fields: Mapped[dict[str, Any]]
    csat: Mapped[int | None] = mapped_column(Integer)
    reopens: Mapped[int | None] = mapped_column(Integer)
    handoffs: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    first_import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    last_import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))

    messages: Mapped[list[Message]] = relationship(
        back_populates="ticket",
        order_by="Message.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Message(Base):
    """One message of a ticket's thread, in order."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("ticket_id", "position"),
        Index("ix_messages_external_id", "external_id"),
        Index("ix_messages_reply_to", "reply_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    position: Mapped[int]
    role: Mapped[str | None] = mapped_column(String(40))
    author: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime | None]
    body: Mapped[str] = mapped_column(Text)
    #: the message's own id in the source (a tweet id), where the source has one
    external_id: Mapped[str | None] = mapped_column(String(255))
    #: the id of the message this one answers, where the source says
    reply_to: Mapped[str | None] = mapped_column(String(255))

    ticket: Mapped[Ticket] = relationship(back_populates="messages")


class QuarantinedRow(Base):
    """An input row that could not be imported, kept with where it came from and why."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Same file, row and content = same entry, so a re-import adds nothing.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    source: Mapped[str] = mapped_column(String(100))
    file: Mapped[str] = mapped_column(Text)
    row: Mapped[int | None]
    field: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    #: the row's columns as read (redacted, the requester as its pseudonym), when the
    #: row could be split into columns at all: what ``quarantine export`` writes
    fields: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime]


class HeldRow(Base):
    """A message kept until the thread it belongs to is imported (a brand reply whose
    customer tweet is in another file): counted as skipped, joined when its parent comes."""

    __tablename__ = "held_rows"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_held_rows_reply_to", "source", "reply_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(255))
    reply_to: Mapped[str | None] = mapped_column(String(255))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    file: Mapped[str] = mapped_column(Text)
    row: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text)
    #: the message, redacted: body, role, author (pseudonymised for a customer), created_at
    message: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]


class ReviewItem(Base):
    """Anything a person must review: a suggested link, label, quote, annotation or draft.

    ``kind`` says what it is (``theme-outcome``, ``theme-label`` ...), ``subject`` and
    ``target`` what it connects (``theme:12`` -> ``outcome:pay-with-card``), ``payload``
    the proposed content and ``evidence`` the ids of the tickets behind it.
    """

    __tablename__ = "review_items"
    __table_args__ = (
        CheckConstraint("state IN ('suggested', 'approved', 'edited', 'rejected')", name="state"),
        UniqueConstraint("kind", "subject", "target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(20), default="suggested")
    payload: Mapped[dict[str, Any]]
    score: Mapped[float | None] = mapped_column(Float)
    rationale: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list[int]] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(200))


class AuditEvent(Base):
    """One action by a person or by ticketlens. Append-only: triggers refuse edits."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(60))
    target_id: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    reason: Mapped[str | None] = mapped_column(Text)


# The theme states and the sets of them the stages ask about, declared once here.
THEME_STATES = ("proposed", "active", "curated", "merged", "retired", "dismissed")
#: states whose themes take tickets (the rest are kept for their history)
LIVE_THEME_STATES = ("proposed", "active", "curated")
#: themes the team tracks: live and no longer only a proposal
ACCEPTED_THEME_STATES = ("active", "curated")
#: states whose tickets still count as that theme's (retired: history, e.g. a fixed issue)
HOLDING_THEME_STATES = (*LIVE_THEME_STATES, "retired")
#: themes a new pattern may turn out to be: live, a dismissed proposal, a retired issue
MATCHABLE_THEME_STATES = (*LIVE_THEME_STATES, "dismissed", "retired")


class ThemeRun(Base):
    """One run of theme discovery or of an increment: with which options, over what."""

    __tablename__ = "theme_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``discover`` (every ticket regrouped) or ``increment`` (new tickets placed)
    kind: Mapped[str] = mapped_column(String(20), default="discover")
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    actor: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(200))
    options: Mapped[dict[str, Any]]
    tickets: Mapped[int] = mapped_column(default=0)
    themes: Mapped[int] = mapped_column(default=0)
    unclear: Mapped[int] = mapped_column(default=0)
    #: what the run changed: tickets kept / moved / new, themes new / retired, per language
    summary: Mapped[dict[str, Any] | None]


class ThemeSpace(Base):
    """The fitted embedding space of one language in one discovery run (an npz blob).

    Increments embed new tickets with it, so they meet the themes' prototypes in
    the space those were computed in.
    """

    __tablename__ = "theme_spaces"
    __table_args__ = (UniqueConstraint("run_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("theme_runs.id"))
    language: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(200))
    adapter: Mapped[bytes] = mapped_column(LargeBinary)


class ThemeGroup(Base):
    """A parent group of themes, for the executive view (recomputed by each discovery)."""

    __tablename__ = "theme_groups"
    __table_args__ = (UniqueConstraint("run_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("theme_runs.id"))
    number: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[list[str]] = mapped_column(JSONType)


class Theme(Base):
    """A recurring issue. Its id is stable: later runs continue it rather than replace it.

    ``label`` is discovery's draft; a reviewed label (review item ``theme-label``)
    overrides it. ``state`` is one of :data:`THEME_STATES`; a ``pinned`` theme is
    never changed by discovery. Lineage: ``merged_into_id`` / ``split_from_id``.
    """

    __tablename__ = "themes"
    __table_args__ = (
        CheckConstraint(
            "state IN ('proposed', 'active', 'curated', 'merged', 'retired', 'dismissed')",
            name="state",
        ),
        Index("ix_themes_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the run that last refreshed it
    run_id: Mapped[int] = mapped_column(ForeignKey("theme_runs.id"))
    #: rank by size in that run (display order)
    number: Mapped[int]
    group_id: Mapped[int | None] = mapped_column(ForeignKey("theme_groups.id"))
    label: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[list[str]] = mapped_column(JSONType)
    size: Mapped[int]
    #: ticket ids of the most typical tickets, most typical first
    representatives: Mapped[list[int]] = mapped_column(JSONType)
    #: unit float32 vector of the theme's centre in its space
    centroid: Mapped[bytes] = mapped_column(LargeBinary)
    #: the theme's prototypes (rows of unit float32 vectors) new tickets are matched against
    prototypes: Mapped[bytes] = mapped_column(LargeBinary)
    #: a new ticket fitting it less than this (its members' 2nd percentile) is unclear
    fit_floor: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(20), default="active")
    pinned: Mapped[bool] = mapped_column(default=False)
    #: how it came to be: discovered, seed, split
    origin: Mapped[str] = mapped_column(String(20), default="discovered")
    language: Mapped[str | None] = mapped_column(String(16))
    #: the space its centroid and prototypes are in
    space_id: Mapped[int | None] = mapped_column(ForeignKey("theme_spaces.id"))
    #: a seeded category's own words
    description: Mapped[str | None] = mapped_column(Text)
    examples: Mapped[list[str]] = mapped_column(JSONType, default=list)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    created_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime | None]


class ThemeAssignment(Base):
    """The theme of a ticket (none: "unclear") and how well it fits (cosine).

    ``how`` is ``auto`` (discovery or an increment placed it) or ``manual`` (a person
    moved it; automation never moves it again).
    """

    __tablename__ = "theme_assignments"
    __table_args__ = (
        Index("ix_theme_assignments_theme_id", "theme_id"),
        CheckConstraint("how IN ('auto', 'manual')", name="how"),
    )

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("theme_runs.id"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    score: Mapped[float] = mapped_column(Float)
    how: Mapped[str] = mapped_column(String(10), default="auto")
    #: the ticket's language as discovery read it (the source's, else detected)
    language: Mapped[str | None] = mapped_column(String(16))


HOT_SPOT_STATES = ("open", "acknowledged", "scheduled", "fixed")


class HotSpot(Base):
    """A theme landing on a system, as a person has marked it on the service map."""

    __tablename__ = "hot_spots"
    __table_args__ = (
        UniqueConstraint("system", "theme_id"),
        CheckConstraint("state IN ('open', 'acknowledged', 'scheduled', 'fixed')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(200))  # the mission file's system id
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"))
    state: Mapped[str] = mapped_column(String(20), default="open")
    #: when the fix is scheduled for, and who owns it (state ``scheduled``)
    due: Mapped[dt.date | None]
    owner: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(200))
