"""Link reference definitions (`[label]: url "title"`) shared by every slide of a file.

Slides are parsed one by one (memory stays flat, each slide is cached on its own), but
CommonMark reads definitions from the whole document: many authors keep them at the bottom.
So a file's definitions are collected once, in order (the first of a label wins, as in
CommonMark), and each slide's parse sees all of them through `References`, which records
the labels the slide looked up so that an incremental rebuild knows what it depends on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping

from markdown_it.rules_core import StateCore, block, normalize

from deckpoll.markdown.parser import markdown

Definition = tuple[str, str]  # (href, title)


def definitions(texts: Iterable[str]) -> dict[str, dict]:
    """Every definition in these texts (one file's slides, in order), by normalised label,
    as markdown-it keeps them in `env["references"]`. Only the block rules run, and only on
    texts that can hold a definition (a label is always followed by `]:`)."""
    found: dict[str, dict] = {}
    md = markdown()
    for text in texts:
        if "]:" not in text:
            continue
        env: dict = {}
        state = StateCore(text, md, env)
        normalize(state)
        block(state)
        for label, ref in env.get("references", {}).items():
            found.setdefault(label, {"href": ref["href"], "title": ref["title"]})
    return found


class References(MutableMapping):
    """One slide's view of its file's definitions (shared, never written to); what the
    slide's own parse adds stays local. `used` maps each label looked up to what it found."""

    def __init__(self, shared: Mapping[str, dict]) -> None:
        self.shared = shared
        self.local: dict[str, dict] = {}
        self.used: dict[str, Definition | None] = {}

    def get(self, label: str, default: dict | None = None) -> dict | None:  # type: ignore[override]
        ref = self.local.get(label) or self.shared.get(label)
        self.used[label] = _definition(ref)
        return ref if ref is not None else default

    def __getitem__(self, label: str) -> dict:
        ref = self.get(label)
        if ref is None:
            raise KeyError(label)
        return ref

    def __contains__(self, label: object) -> bool:
        return label in self.local or label in self.shared

    def __setitem__(self, label: str, ref: dict) -> None:
        self.local[label] = ref

    def __delitem__(self, label: str) -> None:
        del self.local[label]

    def __iter__(self) -> Iterator[str]:
        yield from self.shared
        yield from (label for label in self.local if label not in self.shared)

    def __len__(self) -> int:
        return len(self.shared) + sum(1 for label in self.local if label not in self.shared)

    def dependencies(self) -> tuple[tuple[str, Definition | None], ...]:
        """The labels this slide looked up and what each named (None: undefined)."""
        return tuple(self.used.items())


def still_valid(dependencies: Iterable[tuple[str, Definition | None]], shared: Mapping) -> bool:
    """Whether every label a compiled slide looked up still names what it named then."""
    return all(_definition(shared.get(label)) == found for label, found in dependencies)


def _definition(ref: Mapping | None) -> Definition | None:
    return None if ref is None else (ref["href"], ref["title"])
