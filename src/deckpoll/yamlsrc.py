"""YAML with source positions: values plus where each key and value stands in the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from deckpoll.errors import Location, Reporter

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KeyPath = tuple[Any, ...]
# Deeper than any deck needs, far below Python's recursion limit.
MAX_DEPTH = 50


@dataclass
class YamlDoc:
    """Parsed YAML and the location of every mapping key and value inside it."""

    data: Any
    origin: Location
    keys: dict[KeyPath, Location] = field(default_factory=dict)
    values: dict[KeyPath, Location] = field(default_factory=dict)
    scalars: dict[KeyPath, str] = field(default_factory=dict)

    def text_at(self, path: KeyPath) -> str | None:
        """The scalar at `path` exactly as written: `Yes` stays "Yes", not True (YAML 1.1
        reads yes/no/on/off as booleans, a trap for poll options)."""
        return self.scalars.get(path)

    def key_at(self, path: KeyPath) -> Location:
        """Where the key at `path` is written (falls back to its parent, then the origin)."""
        while path:
            if path in self.keys:
                return self.keys[path]
            path = path[:-1]
        return self.origin

    def value_at(self, path: KeyPath) -> Location:
        """Where the value at `path` is written (falls back like `key_at`)."""
        return self.values.get(path) or self.key_at(path)


def parse_yaml(text: str, origin: Location, reporter: Reporter) -> YamlDoc | None:
    """Parse `text`, which starts at `origin` in its file; report syntax errors there.

    `origin.col` applies to the first line only (text after `<!-- slide:` for example).
    Returns None after reporting an error.
    """
    alias = _first_alias(text)
    if alias is not None:
        reporter.error(
            _locate(origin, alias.line, alias.column),
            "YAML aliases (`*name`) are not allowed here: they can expand a few lines into "
            "millions of values; write the value out instead",
        )
        return None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _locate(origin, *_clamp(text, mark.line, mark.column)) if mark else origin
        reporter.error(where, f"invalid YAML: {exc.problem or exc.context}; fix the syntax")
        return None
    except yaml.YAMLError as exc:
        reporter.error(origin, f"invalid YAML: {exc}")
        return None
    finally:
        loader.dispose()
    doc = YamlDoc(data, origin)
    if node is not None:
        _walk(node, (), doc, reporter)
    return doc


def compose_node(text: str) -> yaml.Node | None:
    """The node tree of `text` (aliases stay references, nothing is expanded)."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _first_alias(text: str) -> yaml.Mark | None:
    """Where the first alias stands, if any. Aliases are refused before anything is built
    from the text: `&a [*a]` refers to itself, and nine nested aliases make a billion
    values. Only text holding a `*` can hold one, so most YAML skips this pass."""
    if "*" not in text:
        return None
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark
    except yaml.YAMLError:
        return None  # the syntax error is reported by the parse that follows
    finally:
        loader.dispose()
    return None


def _clamp(text: str, line: int, column: int) -> tuple[int, int]:
    """PyYAML reports an unexpected end of input past the last line; point at its end."""
    lines = text.split("\n")
    if line >= len(lines) or (line == len(lines) - 1 and not lines[-1].strip()):
        last = len(lines) - 1
        while last > 0 and not lines[last].strip():
            last -= 1
        return last, len(lines[last].rstrip())
    return line, column


def _locate(origin: Location, line: int, column: int) -> Location:
    col = column + (origin.col - 1 if line == 0 else 0) + 1
    return Location(origin.path, origin.line + line, col)


def _walk(node: yaml.Node, path: KeyPath, doc: YamlDoc, reporter: Reporter) -> None:
    if len(path) > MAX_DEPTH:
        reporter.error(
            _locate(doc.origin, node.start_mark.line, node.start_mark.column),
            f"YAML nested more than {MAX_DEPTH} levels deep; flatten it",
        )
        return
    if isinstance(node, yaml.ScalarNode):
        doc.scalars[path] = node.value
    elif isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            here = path + (key,)
            where = _locate(doc.origin, key_node.start_mark.line, key_node.start_mark.column)
            if key in seen:
                reporter.error(where, f"duplicate key {key!r}; keep only one")
            seen.add(key)
            doc.keys[here] = where
            doc.values[here] = _locate(
                doc.origin, value_node.start_mark.line, value_node.start_mark.column
            )
            _walk(value_node, here, doc, reporter)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            here = path + (index,)
            doc.values[here] = _locate(doc.origin, item.start_mark.line, item.start_mark.column)
            _walk(item, here, doc, reporter)
