"""Images and other files a deck uses: each distinct file stored once, however often it is
used; copied next to the page with a content-hashed name, or (single file) inlined once."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from pathlib import Path

from deckpoll.load import confined

MEDIA_TYPES = {".svg": "image/svg+xml", ".webp": "image/webp", ".avif": "image/avif"}


class Assets:
    """Registry of the deck's files, keyed by content hash (so worker processes of one
    build agree on every name without talking to each other)."""

    def __init__(self, single_file: bool = False, roots: tuple[Path, ...] = ()) -> None:
        self.single_file = single_file
        # Folders files may come from (the deck's, the built-in themes'); see load.confined.
        self.roots = roots
        self.files: dict[str, bytes] = {}
        self._names: dict[Path, str] = {}
        # (path, name) of each file asked for while a list is here (incremental.py: what a
        # cached slide must find again under the same name to be reused).
        self.used: list[tuple[Path, str]] | None = None

    def outside(self, path: Path) -> bool:
        """Whether `path` lies outside the folders this build may read (after symlinks)."""
        return confined(path, self.roots) is None

    def name(self, path: Path) -> str | None:
        """The stored name of the file at `path` (`assets/x.<hash>.png`), or None if it is
        missing or lies outside the deck (`outside()` tells which)."""
        found = self._name(path)
        if found is not None and self.used is not None:
            self.used.append((path, found))
        return found

    def _name(self, path: Path) -> str | None:
        cached = self._names.get(path)
        if cached is not None:
            return cached
        resolved = confined(path, self.roots)
        if resolved is None:
            return None
        cached = self._names.get(resolved)
        if cached is None:
            if not resolved.is_file():
                return None
            data = resolved.read_bytes()
            digest = hashlib.sha256(data).hexdigest()[:10]
            cached = f"assets/{resolved.stem}.{digest}{resolved.suffix.lower()}"
            self.files[cached] = data
        self._names[path] = self._names[resolved] = cached
        return cached

    def img_attrs(self, path: Path) -> dict[str, str] | None:
        """Attributes of an <img> showing `path`. Inlined images are drawn with CSS `content`
        from one rule per file, so a logo on 300 slides is in the page once."""
        name = self.name(path)
        if name is None:
            return None
        if self.single_file:
            return {"class": _css_name(name)}
        return {"src": name}

    def css_value(self, path: Path) -> str | None:
        """A CSS value showing `path` (for backgrounds)."""
        name = self.name(path)
        if name is None:
            return None
        return f"var(--{_css_name(name)})" if self.single_file else f"url('{name}')"

    def data_url(self, path: Path) -> str | None:
        """`path` as a URL: a data: URL when inlining, else its stored name."""
        name = self.name(path)
        if name is None or not self.single_file:
            return name
        return _data_url(name, self.files[name])

    def stylesheet(self) -> str:
        """The rules that carry inlined files, one per file (empty unless single_file)."""
        if not self.single_file:
            return ""
        rules = []
        for name in sorted(self.files):
            css = _css_name(name)
            rules.append(
                f":root{{--{css}:url({_data_url(name, self.files[name])})}}"
                f".{css}{{content:var(--{css})}}"
            )
        return "\n".join(rules)

    def to_write(self) -> dict[str, bytes]:
        """Files to write next to index.html."""
        return {} if self.single_file else dict(self.files)

    @property
    def names(self) -> dict[Path, str]:
        return self._names

    def merge(self, files: dict[str, bytes], names: dict[Path, str]) -> None:
        """Take in what another Assets registered (a worker process of the same build)."""
        self.files.update(files)  # each was confined in the worker that read it
        for path, name in names.items():
            self._names.setdefault(path, name)


def _css_name(name: str) -> str:
    """`assets/logo.3f2a9c1b00.png` -> `dp-asset-3f2a9c1b00`."""
    return "dp-asset-" + name.rsplit(".", 2)[-2]


def _data_url(name: str, data: bytes) -> str:
    media = MEDIA_TYPES.get(Path(name).suffix) or mimetypes.guess_type(name)[0]
    return f"data:{media or 'application/octet-stream'};base64,{base64.b64encode(data).decode()}"
