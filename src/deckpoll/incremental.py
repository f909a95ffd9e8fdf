"""Incremental rebuilds: what one build of a deck can hand to the next (for `preview`).

A slide's compiled form depends only on its source text, where it stands (file, first
line, position), the deck's settings and the link reference definitions it looked up (they
may stand on other slides of the file); with all of those unchanged it is reused as is,
and so is its section HTML. A full build is the fallback and gives the same page.

`deckpoll preview` keeps one BuildCache in memory; `deckpoll build` saves it to the deck's
.deckpoll/cache and loads it in the next process (load_cache, save_cache below).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

from deckpoll import __version__, usercache
from deckpoll.assets import Assets
from deckpoll.errors import Diagnostic
from deckpoll.model import Slide
from deckpoll.statedir import STATE_DIR, state_dir


@dataclass(frozen=True)
class CachedSlide:
    slide: Slide
    diagnostics: tuple[Diagnostic, ...]
    # (label, (href, title) or None if undefined) for each reference the slide looked up.
    references: tuple[tuple[str, tuple[str, str] | None], ...] = ()
    # (path, stored name) of each file the slide shows: reused only if each has that name
    # still (the name holds a hash of the content).
    assets: tuple[tuple[Path, str], ...] = ()


@dataclass
class BuildCache:
    """Kept by the caller between builds of one deck; pass it to `compile_deck(cache=...)`."""

    settings: Hashable = None
    slides: dict[Hashable, CachedSlide] = field(default_factory=dict)
    sections: dict[tuple[Slide, int], str] = field(default_factory=dict)
    assets: Assets | None = None
    # The bundled font cut down to a deck's characters ((family, file, text) -> base64):
    # subsetting costs ~0.5 s, and most edits bring no new character.
    fonts: dict[tuple, str] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0

    def reset(self) -> None:
        """Forget everything (an image or theme file changed on disk)."""
        self.settings, self.assets = None, None
        self.slides.clear()
        self.sections.clear()

    def assets_for(self, single_file: bool) -> Assets:
        """The registry of the deck's files, kept between builds (reset() forgets it)."""
        if self.assets is None or self.assets.single_file != single_file:
            self.assets = Assets(single_file=single_file)
        return self.assets

    def use(self, settings: Hashable) -> None:
        """Start a build with these deck settings (deck.yaml, theme, build options); what
        was built with other settings is dropped."""
        if settings != self.settings:
            self.slides.clear()
            self.sections.clear()
            self.settings = settings
        self.hits = self.misses = 0

    def prune(self, keep: set[Hashable], slides: list[Slide]) -> None:
        """Drop entries of slides that are no longer in the deck (memory stays flat)."""
        for key in [k for k in self.slides if k not in keep]:
            del self.slides[key]
        live = set(slides)
        for key in [k for k in self.sections if k[0] not in live]:
            del self.sections[key]


# -- persisted between processes: `deckpoll build` keeps its BuildCache in .deckpoll/cache --

CACHE_FOLDER = Path(STATE_DIR) / "cache"
CACHE_FORMAT = 2
# Files kept in the cache folder (one per deck settings: --single-file, theme, ...) and
# their total size; the least recently used go first.
CACHE_MAX_FILES = 8
CACHE_MAX_BYTES = 64 * 1024 * 1024


def load_cache(root: Path) -> BuildCache:
    """The BuildCache the last build of the deck at `root` saved, or an empty one: a file
    of another deckpoll version or code, signed with another key or unreadable is ignored
    (a clean build gives the same page). Its files (images) are registered afresh: each
    cached slide finds its own again (see CachedSlide.assets)."""
    cache = BuildCache()
    path = _cache_file(root)
    try:
        data = path.read_bytes()
        signature, body = data[:32], data[32:]
        if not hmac.compare_digest(signature, _sign(body)):
            return cache
        stored = pickle.loads(body)
        os.utime(path)  # recently used: evicted last
    except Exception:  # missing, half-written by a crashed build, of an older format
        return cache
    if isinstance(stored, dict) and stored.get("format") == CACHE_FORMAT:
        cache.settings, cache.slides, cache.sections, cache.fonts = (
            stored["settings"],
            stored["slides"],
            stored["sections"],
            stored["fonts"],
        )
    return cache


def save_cache(cache: BuildCache, root: Path) -> None:
    """Write `cache` for the next build (atomically: two builds at once each leave a whole
    file, the last one wins), then keep the folder within its bounds. A deck folder that
    cannot be written to just gets no cache."""
    stored = {
        "format": CACHE_FORMAT,
        "settings": cache.settings,
        "slides": cache.slides,
        "sections": cache.sections,
        "fonts": cache.fonts,
    }
    path = _cache_file(root)
    try:
        body = pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL)
        state_dir(root)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_sign(body) + body)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        _evict(path.parent)
    except (OSError, pickle.PicklingError):
        pass


def _cache_file(root: Path) -> Path:
    """One file per deck folder, deckpoll version and code: another version never reads it."""
    key = hashlib.sha256(
        repr((CACHE_FORMAT, __version__, _code_stamp(), str(root.resolve()))).encode()
    )
    return root / CACHE_FOLDER / f"{key.hexdigest()[:20]}.pickle"


@functools.cache
def _code_stamp() -> tuple:
    """deckpoll's own files (code, templates, runtime, strings): an edited checkout is
    another version too."""
    package = Path(__file__).parent
    stamp = []
    for folder in (package, *(p for p in package.iterdir() if p.is_dir())):
        for entry in os.scandir(folder):
            if entry.is_file() and not entry.name.endswith(".pyc"):
                stat = entry.stat()
                stamp.append((entry.path, stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(stamp))


def _sign(body: bytes) -> bytes:
    """An HMAC with a key of this user's (outside every deck): a deck folder from someone
    else cannot hand the build a pickle of its own to load."""
    return hmac.new(_user_key(), body, hashlib.sha256).digest()


@functools.cache
def _user_key() -> bytes:
    base = usercache.folder()
    path = base / "cache-key"
    try:
        return path.read_bytes()[:64] or _new_key(base, path)
    except OSError:
        return _new_key(base, path)


def _new_key(base: Path, path: Path) -> bytes:
    key = secrets.token_bytes(32)
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
    except FileExistsError:  # another build made one first: use theirs
        return path.read_bytes()[:64] or key
    except OSError:
        pass  # nowhere to keep it: this process's key (its files are ignored by the next)
    return key


def _evict(folder: Path) -> None:
    """Drop the least recently used files beyond CACHE_MAX_FILES or CACHE_MAX_BYTES (the
    newest stays, however large: the folder holds at most one deck's worth more)."""
    entries = []
    for entry in os.scandir(folder):
        try:
            stat = entry.stat()
        except OSError:
            continue
        if entry.name.startswith(".tmp-") and time.time() - stat.st_mtime < 3600:
            continue  # another build writing right now
        entries.append((stat.st_mtime, stat.st_size, entry.path))
    entries.sort(reverse=True)
    total = 0
    for index, (_, size, path) in enumerate(entries):
        total += size
        if index and (index >= CACHE_MAX_FILES or total > CACHE_MAX_BYTES):
            with contextlib.suppress(OSError):
                os.unlink(path)
