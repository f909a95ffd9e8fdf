"""The SQLite store's tables, the columns an answer is read with, and its URL form."""

from __future__ import annotations

from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    ns TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (ns, name));
CREATE TABLE IF NOT EXISTS polls (
    ns TEXT NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL,
    revealed INTEGER NOT NULL DEFAULT 0, opened_at REAL, closed_at REAL,
    PRIMARY KEY (ns, id));
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ns TEXT NOT NULL, poll TEXT NOT NULL, voter TEXT NOT NULL, key TEXT NOT NULL,
    value TEXT NOT NULL, created REAL NOT NULL, hidden INTEGER NOT NULL DEFAULT 0,
    pending INTEGER NOT NULL DEFAULT 0,
    votes INTEGER NOT NULL DEFAULT 0, pinned INTEGER NOT NULL DEFAULT 0,
    answered INTEGER NOT NULL DEFAULT 0,
    UNIQUE (ns, poll, voter, key));
CREATE TABLE IF NOT EXISTS votes (
    ns TEXT NOT NULL, poll TEXT NOT NULL, answer INTEGER NOT NULL, voter TEXT NOT NULL,
    PRIMARY KEY (ns, poll, answer, voter));
CREATE INDEX IF NOT EXISTS votes_by_voter ON votes (ns, poll, voter);
"""
# Columns added after a release: a database written by an older version gets them on open.
ADDED_COLUMNS = (
    ("answers", "pending", "INTEGER NOT NULL DEFAULT 0"),
    ("answers", "votes", "INTEGER NOT NULL DEFAULT 0"),
    ("answers", "pinned", "INTEGER NOT NULL DEFAULT 0"),
    ("answers", "answered", "INTEGER NOT NULL DEFAULT 0"),
)
# As _row reads them (the voter apart, after them where a query needs it).
COLUMNS = "id, key, value, created, hidden, pending, votes, pinned, answered"
WIDTH = len(COLUMNS.split(","))


def path_from_url(url: str) -> Path:
    """`sqlite:///rel/a.db` -> rel/a.db (relative to the working folder); `sqlite:////abs`."""
    scheme, sep, rest = url.partition("://")
    if scheme.lower() != "sqlite" or not sep or not rest.startswith("/") or len(rest) < 2:
        raise ValueError(
            f"bad SQLite store URL {url!r}: use sqlite:///relative/path or sqlite:////absolute/path"
        )
    return Path(rest[1:])
