"""The handout build (`deckpoll build --results <archive|latest>`): the deck with an
archive's final results baked into its poll slides as static HTML (bars, every word of a
cloud, the wall of answers over as many continuation slides as it needs), each poll slide
saying when it was answered and by how many; no join details and no live-poll script, so
it reads the same from file://, on a web server or in a PDF."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from deckpoll import strings
from deckpoll.errors import DeckpollError

WALL_CHARS = 720  # text on one wall page: about 9 cards of two lines at the handout's size
WALL_CARDS = 12  # cards on one page at most
CLOUD_AREA = 1150 * 420  # design px the cloud may cover (16:9 slide, question and facts above)
CLOUD_SIZES = (20, 72)  # font size of the least and the most sent word, before fitting
SYNTHESIS_CLUSTERS = 8  # clusters on the synthesis slide (the largest; 4 rows of 2)
SYNTHESIS_OTHERS = 3  # other wordings shown under a cluster's leading answer


def load(deck: Path, spec: str) -> dict[str, Any]:
    """The archive `--results` names: `latest` (the newest in DECK/results/) or a path."""
    from deckpoll.archive import deck_root, is_archive, latest, read_archive

    path = latest(deck_root(deck)) if spec == "latest" else Path(spec)
    if not path.is_file():
        raise DeckpollError(f"--results {spec}: no such file; give an archive or `latest`")
    if not is_archive(path):
        raise DeckpollError(f"--results {spec}: not a deckpoll results archive (docs/results.md)")
    return read_archive(path)


def _local(stamp: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(stamp).astimezone() if stamp else None
    except ValueError:
        return None


def answered_when(archived: dict[str, Any]) -> str:
    """`2026-11-30 10:05–10:20`: from the first answer to the last, local time."""
    times = sorted(t for a in archived.get("answers") or [] if (t := _local(a.get("created"))))
    if not times:
        return ""
    first, last = times[0], times[-1]
    text = first.strftime("%Y-%m-%d %H:%M")
    if last.strftime("%H:%M") != first.strftime("%H:%M"):
        end = "%H:%M" if last.date() == first.date() else "%Y-%m-%d %H:%M"
        text += "–" + last.strftime(end)
    return text


def facts(archived: dict[str, Any] | None, lang: str) -> str:
    """The line under the question: when it was answered and by how many."""
    if not archived or not archived.get("answers"):
        return strings.say(lang, "slides", "handout_none")
    result = archived["tally"]
    return strings.say(
        lang,
        "slides",
        "handout_facts",
        time=answered_when(archived),
        voters=strings.say(lang, "export", "participants", n=result.get("voters", 0)),
        answers=strings.say(lang, "export", "answers", n=result.get("answers", 0)),
    )


def cloud(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every word with a font size by its count (square root: area follows the count) and
    a tone; all sizes scaled down together until the estimated area fits the slide."""
    if not words:
        return []
    most = max(w["count"] for w in words) or 1
    low, high = CLOUD_SIZES
    sized = [(w, low + (high - low) * math.sqrt(w["count"] / most)) for w in words]
    # a word's box: ~0.6 em a character plus its gap and count, 1.2 em high
    area = sum((0.6 * len(w["text"]) + 1.6) * s * 1.2 * s for w, s in sized)
    scale = min(1.0, math.sqrt(0.75 * CLOUD_AREA / area)) if area else 1.0
    return [
        {
            "text": w["text"],
            "count": w["count"],
            "size": max(9, round(s * scale)),
            "tone": i % 5 + 1,
        }
        for i, (w, s) in enumerate(sized)
    ]


def wall_pages(entries: list[str]) -> list[list[str]]:
    """The wall's answers in pages of at most WALL_CARDS cards and about WALL_CHARS text."""
    pages: list[list[str]] = [[]]
    used = 0
    for text in entries:
        size = max(len(text), 40)  # a short card still takes a card's room
        if pages[-1] and (used + size > WALL_CHARS or len(pages[-1]) >= WALL_CARDS):
            pages.append([])
            used = 0
        pages[-1].append(text)
        used += size
    return pages


def paginate(view: dict[str, Any]) -> list[dict[str, Any]]:
    """One view per slide: a wall over as many pages as it needs, the others on one."""
    if view["view"] == "cloud":
        return [{**view, "words": cloud(view["words"])}]
    if view["view"] == "wall":
        pages = [{"view": "wall", "entries": page} for page in wall_pages(view["entries"])]
        per_table = [
            {"view": "wall", "entries": page, "table": t["label"], "count": len(t["entries"])}
            for t in view.get("tables") or []
            for page in wall_pages(t["entries"])
        ]
        return pages + synthesis(view.get("clusters") or []) + per_table
    return [view]


def synthesis(found: list[Any]) -> list[dict[str, Any]]:
    """The wall's synthesis slide: similar answers clustered, with counts (grouping.py);
    none when no two answers were alike."""
    if not any(c.count > 1 for c in found):
        return []
    shown = [
        {"text": c.text, "count": c.count, "others": list(c.members[:SYNTHESIS_OTHERS])}
        for c in found[:SYNTHESIS_CLUSTERS]
    ]
    return [{"view": "clusters", "clusters": shown}]


@dataclass
class Handout:
    """Renders the poll blocks of a handout build (called by PollRenderer in place of the
    live block); the pages past a poll's first wait in `extra` for `expand`."""

    data: dict[str, Any]
    lang: str
    template: Any
    extra: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.archived = {str(p["id"]): p for p in self.data.get("polls") or []}

    def render(self, poll: Any) -> str:
        from deckpoll.polls import kind

        archived = self.archived.get(poll.id)
        found = kind(poll.kind)
        if archived is None or found is None or "tally" not in archived:
            views = [{"view": "none"}]
        else:
            views = paginate(found.handout(archived.get("definition") or {}, archived))
        say = {
            "facts": facts(archived, self.lang),
            "average_label": strings.say(self.lang, "slides", "handout_average"),
            "synthesis_label": strings.say(self.lang, "slides", "handout_synthesis"),
        }
        pages = [
            self.template.render(poll=poll, page=view, continued=part, **say)
            for view, part in zip(views, self._parts(views), strict=True)
        ]
        self.extra[poll.id] = pages[1:]
        return pages[0]

    def _parts(self, views: list[dict[str, Any]]) -> list[str]:
        """What each page's heading adds: "2 av 3" on the room's wall when it needs more
        than one page (counting the room's pages only), or a table's own answers ("Bord 3 –
        7 svar") as the sharing round shows them; nothing on a page that stands alone."""
        room = sum(1 for v in views if not v.get("table") and v["view"] != "clusters")
        parts, k = [], 0
        for view in views:
            if view.get("table"):
                table, n = view["table"], view["count"]
                parts.append(strings.say(self.lang, "deck", "share_table", table=table, n=n))
            elif view["view"] == "clusters" or room < 2:
                parts.append("")
            else:
                k += 1
                parts.append(strings.say(self.lang, "slides", "handout_part", k=k, n=room))
        return parts

    def expand(self, slides: list[Any]) -> list[Any]:
        """The slides with each poll's continuation slides after it, numbered again."""
        out = []
        for slide in slides:
            out.append(slide)
            more = self.extra.get(slide.poll.id, []) if slide.poll is not None else []
            for k, html in enumerate(more, start=2):
                out.append(
                    dataclasses.replace(
                        slide,
                        id=f"{slide.id}-{k}",
                        html=html,
                        notes_html="",
                        fragments=0,
                        poll=None,
                        background=None,
                        split=None,
                        fill=None,
                    )
                )
        return [dataclasses.replace(s, index=i) for i, s in enumerate(out, start=1)]
