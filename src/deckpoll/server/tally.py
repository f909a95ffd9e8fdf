"""Aggregate a poll's answers into the results every screen draws (pure, store-agnostic)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from deckpoll.server.validate import option_ids, scale_range, text_key
from deckpoll.stores.base import Answer

WALL_LIMIT = 200  # open answers sent to screens (newest first); the export has them all
CLOUD_LIMIT = 120  # distinct words sent to screens


def _percent(count: int, total: int) -> float:
    return round(100.0 * count / total, 1) if total else 0.0


def tally(poll: dict[str, Any], answers: list[Answer], *, moderation: bool = False) -> dict:
    """Results of one poll from its stored answers; hidden answers and those waiting for
    approval are left out (`pending` counts the latter, for the presenter).

    `moderation` adds answer ids to word groups and text entries (the presenter's view,
    where one answer can be hidden).
    """
    shown = [a for a in answers if not a.hidden and not a.pending]
    kind = poll.get("kind")
    result: dict[str, Any] = {
        "id": poll["id"],
        "kind": kind,
        "voters": len({a.voter for a in shown}),
        "answers": len(shown),
        "pending": sum(1 for a in answers if a.pending and not a.hidden),
    }
    if kind in ("single", "multiple"):
        counts: Counter[str] = Counter()
        for answer in shown:
            if "choice" in answer.value:
                counts[answer.value["choice"]] += 1
            for choice in answer.value.get("choices", ()):
                counts[choice] += 1
        labels = {str(o["id"]): o.get("label", o["id"]) for o in poll.get("options") or []}
        result["options"] = [
            {
                "id": oid,
                "label": labels[oid],
                "count": counts[oid],
                "percent": _percent(counts[oid], result["voters"]),
            }
            for oid in option_ids(poll)
        ]
    elif kind == "scale":
        low, high = scale_range(poll)
        values = [a.value["value"] for a in shown if isinstance(a.value.get("value"), int)]
        values = [v for v in values if low <= v <= high]
        counts = Counter(values)
        result["min"], result["max"] = low, high
        result["distribution"] = [
            {"value": v, "count": counts[v], "percent": _percent(counts[v], len(values))}
            for v in range(low, high + 1)
        ]
        result["average"] = round(sum(values) / len(values), 2) if values else None
    elif kind == "wordcloud":
        groups: dict[str, list[Answer]] = {}
        for answer in shown:
            key = answer.key or text_key(answer.value.get("text", ""))
            groups.setdefault(key, []).append(answer)
        words = []
        for members in groups.values():
            forms = Counter(a.value.get("text", "") for a in members)
            top = max(forms.values())
            text = next(a.value["text"] for a in members if forms[a.value["text"]] == top)
            word: dict[str, Any] = {"text": text, "count": len(members)}
            if moderation:
                word["ids"] = [a.id for a in members]
            words.append(word)
        words.sort(key=lambda w: (-w["count"], text_key(w["text"])))
        result["distinct"] = len(words)
        result["words"] = words[:CLOUD_LIMIT]
    elif kind == "open":
        entries = []
        for answer in sorted(shown, key=lambda a: a.id, reverse=True)[:WALL_LIMIT]:
            entry: dict[str, Any] = {"text": answer.value.get("text", ""), "at": answer.created}
            entry["id"] = answer.id
            entries.append(entry)
        result["entries"] = entries
    return result
