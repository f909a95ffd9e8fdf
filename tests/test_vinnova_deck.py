"""The Vinnova deck builds, in Swedish, with its two polls and its closing Q&A, notes and
no leftovers."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

DECK = Path(__file__).resolve().parents[1] / "decks" / "vinnova-innovation"
SLIDE_COUNT = 22  # 20, the sharing round's instruction slide and the closing Q&A
JOIN_CODE = "490296"
PRESENTERS = ("Eleonore Stureborg", "Peter Lindelöf", "Kristina Larsen", "Inger Gustafsson")
MAIN_SLIDES = (
    "start",
    "samverkan",
    "offentlig-verksamhet",
    "propositionen",
    "fokusomraden",
    "innovationsledning",
    "innovationsledarlyft",
    "utmaningar",
    "leading-innovation",
    "kvantitativa-studier",
    "gruppovning",
    "fragorna",
    "instruktioner",
    "dela",
    "fraga-fokus",
    "fraga-involverade",
    "fragor-till-oss",
)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str):
        for el in self.iter():
            if tag is not None and el.tag != tag:
                continue
            if cls is not None and cls not in el.classes:
                continue
            if any(el.attrs.get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            yield el

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        for el in self.find_all(tag, cls, **attrs):
            return el
        raise AssertionError(f"no <{tag or '*'}> class={cls!r} {attrs} in <{self.tag}>")


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass
class Built:
    html: str
    doc: Element
    manifest: dict
    slides: list[Element]

    def slide(self, slide_id: str) -> Element:
        return next(self.doc.find_all("section", "dp-slide", data_dp_id=slide_id))

    def body_text(self, slide: Element) -> str:
        return slide.find("div", "dp-slide-body").text()


def build(deck: Path) -> Built:
    from deckpoll.build import compile_deck

    compiled = compile_deck(deck)
    doc = parse(compiled.html)
    slides = list(doc.find("main", "dp-deck").find_all("section", "dp-slide"))
    return Built(compiled.html, doc, compiled.manifest, slides)


@pytest.fixture(scope="module")
def built() -> Built:
    return build(DECK)


def test_page_is_swedish_with_the_deck_title(built: Built) -> None:
    html = built.doc.find("html")
    assert html.attrs["lang"] == "sv"
    assert built.doc.find("title").text() == (
        "Hur kan vi utveckla innovationsförmågan i offentlig sektor?"
    )
    assert built.manifest["lang"] == "sv"
    assert built.manifest["title"] == built.doc.find("title").text()
    assert list(built.manifest["authors"]) == list(PRESENTERS)


def test_slides_are_numbered_in_order(built: Built) -> None:
    assert len(built.slides) == SLIDE_COUNT
    assert [s.attrs["data-dp-index"] for s in built.slides] == [
        str(n) for n in range(1, SLIDE_COUNT + 1)
    ]
    assert built.doc.find("main", "dp-deck").attrs["data-dp-count"] == str(SLIDE_COUNT)
    assert len(built.manifest["slides"]) == SLIDE_COUNT


def test_title_slide_names_the_four_presenters(built: Built) -> None:
    first = built.slides[0]
    assert "dp-layout-title" in first.classes
    assert first.find("h1").text().startswith("Hur kan vi utveckla innovationsförmågan")
    text = built.body_text(first)
    for name in PRESENTERS:
        assert name in text
    assert "Behöver offentlig sektor egen innovationsförmåga?" in text


def test_both_questions_are_polls(built: Built) -> None:
    polls = {poll["id"]: poll for poll in built.manifest["polls"] if poll["kind"] != "qa"}
    assert set(polls) == {"fokus", "involverade"}
    assert polls["fokus"]["kind"] == "wordcloud"
    assert polls["fokus"]["max_answers"] == 3
    assert polls["fokus"]["question"] == (
        "Vilka faktorer bör vi fokusera på för att stärka den egna innovationsförmågan "
        "i offentlig sektor?"
    )
    assert polls["involverade"]["kind"] == "open"
    assert polls["involverade"]["question"] == "Vilka skulle behöva vara involverade?"
    for poll in polls.values():
        section = next(built.doc.find_all("section", "dp-slide", data_dp_poll=poll["id"]))
        assert section.attrs["data-dp-index"] == str(poll["slide"])
        assert "dp-layout-poll" in section.classes
        block = section.find("div", "dp-poll")
        assert block.attrs["data-dp-poll-kind"] == poll["kind"]
        assert block.find(cls="dp-poll-question").text() == poll["question"]
        assert block.find(cls="dp-join-code").text() == JOIN_CODE
    # the instructions come before the questions, the questions in the talk's order
    index = {s.attrs["data-dp-id"]: int(s.attrs["data-dp-index"]) for s in built.slides}
    assert index["instruktioner"] < polls["fokus"]["slide"] < polls["involverade"]["slide"]


def test_the_talk_ends_with_questions_to_us_open_all_along(built: Built) -> None:
    """ "bjuder in till dialog om vägen framåt": the last slide is a Q&A, open during the
    whole talk (the phones' Frågor tab), in the deck's own tone."""
    (qa,) = [poll for poll in built.manifest["polls"] if poll["kind"] == "qa"]
    assert (qa["id"], qa["question"], qa["scope"]) == ("fragor", "Frågor till oss?", "deck")
    last = built.slides[-1]
    assert last.attrs["data-dp-id"] == "fragor-till-oss" and qa["slide"] == SLIDE_COUNT
    assert last.find("div", "dp-poll").attrs["data-dp-poll-kind"] == "qa"
    assert "dialog om vägen framåt" in last.find("aside", "dp-notes").text()


def test_instruction_slide_gives_the_join_code(built: Built) -> None:
    assert built.manifest["polls_config"]["code"] == JOIN_CODE
    slide = built.slide("instruktioner")
    steps = [li.text() for li in slide.find("ol").find_all("li")]
    assert len(steps) == 4
    assert JOIN_CODE in steps[1]
    assert "QR-koden" in steps[0]
    assert "Skicka" in steps[3]


def test_no_placeholders_and_no_mentimeter(built: Built) -> None:
    text = built.doc.find("main", "dp-deck").text()
    assert "XXX" not in built.html
    assert "menti.com" not in built.html.lower()
    assert "mentimeter" not in text.lower()
    assert "deckpoll" in built.body_text(built.slide("gruppovning"))
    for source in (p for p in DECK.iterdir() if p.is_file()):  # not the build's .deckpoll/
        assert "XXX" not in source.read_text("utf-8"), source.name


def test_main_slides_have_swedish_notes(built: Built) -> None:
    swedish = re.compile(r"\b(och|att|vi|är|på|för)\b|[åäö]", re.I)
    for slide_id in MAIN_SLIDES:
        notes = list(built.slide(slide_id).find_all("aside", "dp-notes"))
        assert len(notes) == 1, f"{slide_id}: no speaker notes"
        text = notes[0].text()
        assert len(text) > 40, f"{slide_id}: notes too short"
        assert swedish.search(text), f"{slide_id}: notes are not in Swedish"


def test_nothing_is_loaded_or_linked_from_other_hosts(built: Built) -> None:
    for el in built.doc.iter():
        for name in ("src", "href", "srcset", "action", "poster", "data"):
            value = el.attrs.get(name)
            if value is None:
                continue
            external = re.match(r"\s*(//|[a-z][a-z0-9+.-]*:)", value, re.I)
            assert not external or value.startswith("data:"), f"<{el.tag} {name}={value!r}>"


def test_charts_are_marked_placeholders_with_their_sources(built: Built) -> None:
    captions = []
    for slide_id in ("statskontoret-1", "statskontoret-2", "frankelius-skl"):
        slide = built.slide(slide_id)
        box = slide.find(cls="dp-figure-placeholder")
        assert "återges inte" in box.text()
        # no invented figures: nothing numeric in the box but its "1 av 2" label
        assert not re.search(r"\d", re.sub(r"\d av \d", "", box.text())), box.text()
        captions.append(slide.find("figcaption").text())
    assert captions[0] == captions[1] == "Källa: www.statskontoret.se"
    assert captions[2].startswith("Källa: ”Innovation i offentlig verksamhet")
    assert captions[2].endswith("Per Frankelius och SKL 2014")


def test_quote_from_the_research_bill(built: Built) -> None:
    slide = built.slide("propositionen")
    assert "dp-layout-quote" in slide.classes
    quote = slide.find("blockquote").text()
    assert quote.startswith("Det är även viktigt att lärosäten")
    assert quote.endswith("verifieras och implementeras i samhället.")
    attribution = built.body_text(slide).replace(quote, "")
    assert "Kunskap i samverkan – för samhällets utmaningar och stärkt konkurrenskraft" in (
        attribution
    )
    assert "Prop. 2016/17:50" in attribution


def test_content_slides(built: Built) -> None:
    focus = [li.text() for li in built.slide("fokusomraden").find("ol").find_all("li")]
    assert focus == [
        "Innovationsledning",
        "Innovation i den egna verksamheten",
        "Efterfrågan som drivkraft för innovation",
        "Offentlig sektor som medskapare av nya systemlösningar",
        "Spridning och implementering",
    ]
    lyft = built.body_text(built.slide("innovationsledarlyft"))
    assert "Regeringsuppdrag N2014/2618/FIN" in lyft
    assert "öka kunskapen om och förmågan att leda ett systematiskt arbete med innovation" in lyft
    assert built.slide("innovationsledarlyft").find(cls="dp-columns")
    challenges = built.slide("utmaningar")
    items = list(challenges.find("ul").find_all("li"))
    assert [li.text() for li in items] == [
        "Beställarkompetens",
        "Kritisk massa",
        "Mottagarkapacitet",
        "Spridning",
        "Upphandling och avtal",
    ]
    assert all("dp-fragment" in li.classes for li in items)
    assert challenges.attrs["data-dp-fragments"] == "5"
    resources = built.body_text(built.slide("innovationsledning"))
    assert "tusentips.se" in resources and "skl.se" in resources


def test_closing_slide_invents_no_partners(built: Built) -> None:
    slide = built.slide("utvecklad-samverkan")
    assert built.slides.index(slide) == len(built.slides) - 2  # the Q&A comes last
    assert slide.find("h2").text() == "Utvecklad samverkan med:"
    assert not list(slide.find("div", "dp-slide-body").find_all("li"))


def test_builds_with_the_dark_theme(tmp_path: Path) -> None:
    deck = tmp_path / "vinnova-innovation"
    shutil.copytree(DECK, deck)
    yaml_path = deck / "deck.yaml"
    yaml_path.write_text(
        yaml_path.read_text("utf-8").replace("theme: default", "theme: dark"), "utf-8"
    )
    dark = build(deck)
    assert dark.doc.find("style", data_dp_theme="dark")
    assert len(dark.slides) == SLIDE_COUNT


def test_the_group_exercise_runs_in_workshop_mode(built: Built) -> None:
    """The exercise slide carries the 15-minute timer, both questions collect answers per
    table, and a slide tells the tables how to share (before the questions)."""
    slides = {s["id"]: s for s in built.manifest["slides"]}
    assert slides["gruppovning"]["timer"] == 15 * 60
    assert "15 minuter" in built.body_text(built.slide("gruppovning"))
    assert len(built.manifest["polls_config"]["groups"]) == 12
    by_table = {p["id"]: bool(p.get("group")) for p in built.manifest["polls"]}
    assert by_table == {"fokus": True, "involverade": True, "fragor": False}  # not the Q&A
    assert built.manifest["duration"] == 45 * 60
    share = built.body_text(built.slide("dela"))
    assert "Dela med övriga grupper" in share and "ett bord i taget" in share
    assert slides["dela"]["index"] < slides["fraga-fokus"]["index"]
