"""Images and other files a deck uses: copied once with content-hashed names, or inlined."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from pathlib import Path

MEDIA_TYPES = {".svg": "image/svg+xml", ".webp": "image/webp", ".avif": "image/avif"}


class Assets:
    """Registry of the deck's files; each distinct file is read, hashed and stored once."""

    def __init__(self, single_file: bool = False) -> None:
        self.single_file = single_file
        self.files: dict[str, bytes] = {}
        self._urls: dict[Path, str] = {}

    def url(self, path: Path) -> str | None:
        """The URL the page uses for `path`, or None when there is no such file."""
        cached = self._urls.get(path)
        if cached is not None:
            return cached
        resolved = path.resolve()
        cached = self._urls.get(resolved)
        if cached is None:
            if not resolved.is_file():
                return None
            cached = self._store(resolved)
        self._urls[path] = self._urls[resolved] = cached
        return cached

    @property
    def urls(self) -> dict[Path, str]:
        return self._urls

    def merge(self, files: dict[str, bytes], urls: dict[Path, str]) -> None:
        """Take in what another Assets registered (a worker process of the same build)."""
        self.files.update(files)
        for path, url in urls.items():
            self._urls.setdefault(path, url)

    def _store(self, path: Path) -> str:
        data = path.read_bytes()
        if self.single_file:
            media = MEDIA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
            url = f"data:{media or 'application/octet-stream'};base64,"
            url += base64.b64encode(data).decode("ascii")
        else:
            digest = hashlib.sha256(data).hexdigest()[:10]
            name = f"assets/{path.stem}.{digest}{path.suffix.lower()}"
            self.files[name] = data
            url = name
        return url
