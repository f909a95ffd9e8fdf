"""`deckpoll results`: every poll's tally and answers as CSV, JSON or Markdown."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from deckpoll import archive
from deckpoll.archive import FORMAT_NAME, FORMAT_VERSION, collect_from, deck_root
from deckpoll.errors import DeckpollError

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "collect_from",
    "deck_root",
    "export",
    "gather",
    "render",
]

FORMATS = ("csv", "json", "md")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MD_PUNCT = re.compile(r"([\\`*_\[\]<>|~&])")


def load_manifest(deck_path: Path) -> dict[str, Any]:
    """The manifest of a deck: a built deckpoll.json (file or folder holding one), else compile."""
    deck_path = Path(deck_path)
    candidate = deck_path / "deckpoll.json" if deck_path.is_dir() else deck_path
    if candidate.name == "deckpoll.json" and candidate.is_file():
        try:
            return json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DeckpollError(f"{candidate}: not a readable manifest ({exc})") from None
    from deckpoll.build import compile_deck

    return compile_deck(deck_path).manifest


async def collect(manifest: dict[str, Any], store_url: str) -> dict[str, Any]:
    """Everything to export, as plain data (the JSON format is exactly this)."""
    from deckpoll.stores.base import open_store

    store = open_store(store_url, namespace=str(manifest.get("id") or ""))
    try:
        return await archive.collect_from(manifest, store)
    finally:
        await store.close()


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def tally_rows(poll: dict[str, Any]) -> list[tuple[str, Any, float | None]]:
    """(item, count, percent) rows summarising one poll's tally (its kind says which)."""
    from deckpoll.polls import kind_of

    return kind_of(poll).export_rows(poll["tally"])


def to_csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "deck_hash",
            "exported_at",
            "poll",
            "kind",
            "question",
            "record",
            "item",
            "count",
            "percent",
            "answer_id",
            "participant",
            "created",
            "hidden",
            "table",
        ]
    )
    stamp = [data["hash"], data["exported_at"]]
    for poll in data["polls"]:
        head = [*stamp, poll["id"], poll["kind"], poll["question"]]
        labels = {t["id"]: t["label"] for t in poll.get("tables", [])}
        # The room's tally, then each table's (its rows name the table in the last column).
        for table, result in [("", poll), *((t["label"], t) for t in poll.get("tables", []))]:
            for item, count, percent in tally_rows({**poll, "tally": result["tally"]}):
                cells = [*head, "tally", item, count, percent, "", "", "", "", table]
                writer.writerow([safe_cell(c) for c in cells])
        for row in poll["answers"]:
            writer.writerow(
                [
                    safe_cell(c)
                    for c in [
                        *head,
                        "answer",
                        row["answer"],
                        row.get("votes", ""),  # a question's votes
                        "",
                        row["id"],
                        row["voter"],
                        row["created"],
                        row["hidden"],
                        labels.get(row.get("group") or "", row.get("group") or ""),
                    ]
                ]
            )
    return out.getvalue()


def md_text(text: Any) -> str:
    """Audience text made inert in Markdown: punctuation escaped, on one line."""
    return _MD_PUNCT.sub(r"\\\1", " ".join(str(text).split()))


def to_markdown(data: dict[str, Any]) -> str:
    """A readable report in the deck's language (the `export` section of its strings)."""
    from deckpoll import strings

    lang = data.get("lang")

    def say(key: str, **values: object) -> str:
        return strings.say(lang, "export", key, **values)

    title = md_text(data["title"] or data["deck"])
    lines = [
        f"# {say('title', title=title)}",
        "",
        say("stamp", deck=f"`{data['deck']}`", hash=f"`{data['hash']}`", time=data["exported_at"]),
    ]
    if data.get("served_hash") and data["served_hash"] != data["hash"]:
        lines.append(say("served", hash=f"`{data['served_hash']}`"))
    statuses = {"not opened": "status_new", "open": "status_open", "closed": "status_closed"}
    for poll in data["polls"]:
        result = poll["tally"]
        facts = [
            f"`{poll['id']}`",
            poll["kind"],
            say(statuses[poll["status"]]) if poll["status"] in statuses else poll["status"],
            say("participants", n=result["voters"]),
            say("answers", n=result["answers"]),
        ]
        if poll["hidden_answers"]:
            facts.append(say("hidden", n=poll["hidden_answers"]))
        lines += ["", f"## {md_text(poll['question'])}", "", " · ".join(facts), ""]
        lines += _md_result(poll, poll["answers"], poll["tally"], say)
        if poll.get("tables"):
            lines += ["", f"### {say('by_table')}"]
        for table in poll.get("tables", []):
            mine = [a for a in poll["answers"] if a.get("group") == table["id"]]
            counts = [say("participants", n=table["tally"]["voters"])]
            counts.append(say("answers", n=table["tally"]["answers"]))
            lines += ["", f"#### {md_text(table['label'])} · {' · '.join(counts)}", ""]
            lines += _md_result(poll, mine, table["tally"], say)
    return "\n".join(lines) + "\n"


def _md_result(poll: dict[str, Any], answers: list[dict], result: dict[str, Any], say) -> list[str]:
    """One tally in Markdown (the room's or a table's): the answers as a list (text kinds),
    else a table of rows followed by the answers held back."""
    from deckpoll.polls import kind_of

    if kind_of(poll).export_list():
        return [_md_answer(a, say) for a in answers] or [say("no_answers")]
    lines = [f"| {say('answer')} | {say('count')} | % |", "|---|---:|---:|"]
    for item, count, percent in tally_rows({**poll, "tally": result}):
        item = say("average") if (item, percent) == ("average", None) else item
        pct = "" if percent is None else f"{percent:g}"
        lines.append(f"| {md_text(item)} | {'' if count is None else count} | {pct} |")
    held = [a for a in answers if a["hidden"] or not a.get("approved", True)]
    if held:
        lines += ["", say("held_back"), ""] + [_md_answer(a, say) for a in held]
    return lines


def _md_answer(answer: dict[str, Any], say: Any) -> str:
    """One answer as a list item, marked when hidden or still waiting for approval (the
    report lists them: the speaker decides what to publish, not the export)."""
    marks = [say("hidden_mark")] if answer["hidden"] else []
    if not answer.get("approved", True):
        marks.append(say("pending_mark"))
    votes = f" ({answer['votes']})" if answer.get("votes") else ""  # a Q&A question's
    suffix = votes + "".join(f" *({m})*" for m in marks)
    return f"- {md_text(answer['answer'])}{suffix}"


def store_url_for(deck_path: Path) -> str:
    """The deck's own store (DECK/.deckpoll/answers.sqlite3); an error when it has none."""
    from deckpoll.statedir import STATE_DIR
    from deckpoll.stores.base import STORE_FILE

    path = (deck_root(deck_path) / STATE_DIR / STORE_FILE).resolve()
    if not path.exists():
        raise DeckpollError(
            f"no answers stored for this deck yet ({path} does not exist); "
            "present it with `deckpoll serve`, or pass --store"
        )
    return "sqlite:///" + str(path)


def gather(deck_path: Path, store_url: str | None) -> dict[str, Any]:
    """The results of a deck from its store (default: the deck's own), or of an archive
    when `deck_path` names one (a `results/*.json` file)."""
    if archive.is_archive(Path(deck_path)):
        if store_url is not None:
            raise DeckpollError(f"{deck_path} is an archive: it needs no --store")
        return archive.read_archive(Path(deck_path))
    manifest = load_manifest(Path(deck_path))
    url = store_url or store_url_for(deck_path)
    from deckpoll.stores.base import StoreError

    try:
        return asyncio.run(collect(manifest, url))
    except (ValueError, StoreError, OSError) as exc:
        raise DeckpollError(f"cannot read the store {url}: {exc}") from None


def render(data: dict[str, Any], fmt: str) -> str:
    """Results as text in one of FORMATS."""
    if fmt not in FORMATS:
        raise DeckpollError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return to_csv(data)
    return to_markdown(data)


def export(deck_path: Path, fmt: str, store_url: str | None) -> str:
    """Export every poll of the deck at `deck_path` from its store, or an archive's."""
    if fmt not in FORMATS:
        raise DeckpollError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return render(gather(deck_path, store_url), fmt)
