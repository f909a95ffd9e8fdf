"""The talk's presenter key, one for every server of the talk.

The store keeps only the key's SHA-256 (meta `presenter_key_sha256`): whoever reads the
store (a Redis dump, a copied SQLite file) cannot present with it. The key itself lives
with the people and machines that present: a key file (`--key-file`, by default
DECK/.deckpoll/presenter-key, mode 0600) or `DECKPOLL_PRESENTER_KEY`. The first server of
a talk makes the key; the others check calls against the stored hash, and print the link
when they were given the key. `--new-key` replaces it: every server follows the store's
hash within `FOLLOW_EVERY` seconds, so the old links stop working everywhere.

A key is random (24 bytes, base64url): a plain hash is enough, no slow hash is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from deckpoll.errors import DeckpollError
from deckpoll.statedir import STATE_DIR, state_dir
from deckpoll.stores.base import Store, StoreError

KEY_META = "presenter_key_sha256"
KEY_FILE = "presenter-key"  # in the deck's STATE_DIR, next to the default SQLite store
ENV = "DECKPOLL_PRESENTER_KEY"
KEY_CHARS = re.compile(r"[A-Za-z0-9_-]{16,256}")  # it travels in the link's ?key=
FOLLOW_EVERY = 1.0  # seconds between two reads of the store's key hash and voter secret


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(slots=True)
class PresenterKey:
    """What a server checks `Authorization: Bearer <key>` against: the key's hash (the
    key itself may be unknown here). `digest` changes when another server rotates it."""

    digest: str

    @classmethod
    def of(cls, key: str) -> PresenterKey:
        return cls(digest(key))

    def matches(self, token: str) -> bool:
        return hmac.compare_digest(digest(token).encode(), self.digest.encode())


def checked(key: str, where: str) -> str:
    key = key.strip()
    if not KEY_CHARS.fullmatch(key):
        raise DeckpollError(
            f"{where}: a presenter key is 16 to 256 characters of A-Z a-z 0-9 _ - "
            f"(this one has {len(key)}); make one with: python -c "
            "'import secrets; print(secrets.token_urlsafe(24))'"
        )
    return key


def default_key_file(deck: Path) -> Path:
    root = deck if deck.is_dir() else deck.parent
    return root / STATE_DIR / KEY_FILE


@dataclass(frozen=True)
class KeySource:
    """Where this server's key comes from: a file (read, or written once the key is made)
    and/or the key given in the environment."""

    file: Path
    given: str | None = None
    origin: str = ""  # what the given key came from, for messages

    @classmethod
    def find(cls, deck: Path, key_file: Path | None, environ: dict[str, str]) -> KeySource:
        """`--key-file` first, then $DECKPOLL_PRESENTER_KEY, then the deck's own key file."""
        if key_file is not None:
            return cls(key_file, _read(key_file), str(key_file))
        if environ.get(ENV):
            return cls(default_key_file(deck), checked(environ[ENV], ENV), ENV)
        file = default_key_file(deck)
        return cls(file, _read(file), str(file))

    def keep(self, key: str) -> None:
        """Write a key made here to the key file (0600), unless it came from the environment."""
        if self.origin == ENV or self.given == key:
            return
        if self.file.parent.name == STATE_DIR:
            state_dir(self.file.parent.parent)  # git-ignored: a key must never be committed
        else:
            self.file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.file.with_name(self.file.name + ".new")
        fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(key + "\n")
        os.replace(temporary, self.file)


def _read(file: Path) -> str | None:
    try:
        text = file.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeckpollError(f"{file}: cannot read the presenter key: {exc}") from None
    return checked(text, str(file))


async def talk_key(store: Store, source: KeySource, *, new: bool = False) -> tuple[str | None, str]:
    """(the key when known here, its hash) of the talk: the store's hash is the truth.

    `new`: replace the talk's key (by the one in the environment, else a new random one, kept
    in the key file). Without it the
    first server stores its key's hash and the others must hold the same key, or none (then
    they check calls against the hash and print no link)."""
    if new:
        key = source.given if source.origin == ENV and source.given else secrets.token_urlsafe(24)
        await store.set_meta(KEY_META, digest(key))
        return key, digest(key)
    if source.given is not None:
        stored = await store.setdefault_meta(KEY_META, digest(source.given))
        if stored != digest(source.given):
            raise DeckpollError(
                f"the presenter key from {source.origin} is not this talk's key (another "
                "server made or replaced it): use that server's key file or "
                f"{ENV}, or start with --new-key to replace the key (old links stop working)"
            )
        return source.given, stored
    made = secrets.token_urlsafe(24)
    stored = await store.setdefault_meta(KEY_META, digest(made))
    return (made if stored == digest(made) else None), stored


async def follow(store: Store, key: PresenterKey, voters, every: float = FOLLOW_EVERY) -> None:
    """Keep this server's copy of the talk's key hash and voter secret equal to the store's,
    which another server may replace (`--new-key`, `--fresh`). `voters()` is the server's
    VoterTokens or None. Polling costs two reads a second and needs no feed, so it works
    on every store; a store that does not answer keeps the last values."""
    while True:
        await asyncio.sleep(every)
        with contextlib.suppress(StoreError):
            stored = await store.get_meta(KEY_META)
            if stored:
                key.digest = stored
            tokens = voters()
            if tokens is not None:
                await tokens.follow(store)
