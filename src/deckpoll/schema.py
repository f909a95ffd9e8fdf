"""Validation of YAML mappings (deck.yaml, slide options, poll blocks) into the model."""

from __future__ import annotations

import re
from typing import Any

from deckpoll import fonts, strings
from deckpoll import polls as kinds
from deckpoll.errors import Reporter
from deckpoll.fields import Fields
from deckpoll.model import (
    ASPECTS,
    LAYOUTS,
    RESULTS_MODES,
    DeckConfig,
    Poll,
    PollSettings,
)
from deckpoll.yamlsrc import YamlDoc

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
DECK_KEYS = (
    "title",
    "lang",
    "authors",
    "date",
    "description",
    "theme",
    "aspect",
    "slides",
    "polls",
    "progress",
    "slide_number",
    "align",
    "font",
    "reactions",
    "duration",
    "timer_sound",
)
MAX_REACTIONS = 8  # emoji in a deck's reaction bar
# `align: center` centres a sparse slide's content vertically (a slide option or the deck's
# default); `top` is the theme's usual flow
ALIGNS = ("top", "center")
POLL_SETTINGS_KEYS = (
    "code",
    "url",
    "join_url",
    "auto_open",
    "retention",
    "privacy",
    "groups",
    "group_all",
    "personal_data",
)
# `polls.personal_data`: answers that look like personal data wait for the presenter (hold),
# or are shown like any other (allow: a talk that collects contact details on purpose).
PERSONAL_DATA = ("hold", "allow")
PRIVACY_CHARS = 1000  # the join page's privacy notice: a short text
SLIDE_KEYS = ("layout", "class", "id", "background", "title", "align", "timer", "minutes")
POLL_COMMON_KEYS = ("id", "kind", "question", "results", "auto_open", "moderation", "group")
# Fields of the model's Poll that kinds fill in; a kind's other keys go to Poll.settings.
POLL_FIELDS = ("options", "min", "max", "min_label", "max_label", "max_answers", "max_choices")
MODERATION_MODES = ("none", "approve")  # approve: answers wait for the presenter
# `15m`, `90s`, `1h`, `1h30m`: a time span as people write it (timer:, duration:)
MAX_GROUPS = 100  # tables in a room; each gets a button on every phone
GROUP_NAME_CHARS = 40


def deck_config(doc: YamlDoc, reporter: Reporter, default_title: str) -> DeckConfig:
    """Validate deck.yaml or front matter."""
    f = Fields(doc, (), "deck", reporter)
    f.check_keys(DECK_KEYS)
    lang = f.str("lang", "en") or "en"
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
        f.error("lang", f"`lang` must be a language tag such as sv or en-GB, not {lang!r}")
        lang = "en"
    polls = Fields(doc, ("polls",), "polls", reporter) if f.has("polls") else None
    settings = _poll_settings(polls, lang) if polls is not None and polls.ok else PollSettings()
    aspect = f.choice("aspect", ASPECTS, "16:9") or "16:9"
    return DeckConfig(
        title=f.str("title", default_title) or default_title,
        lang=lang,
        authors=f.str_list("authors"),
        date=f.str("date"),
        description=f.str("description"),
        theme=f.str("theme", "default") or "default",
        aspect=aspect,
        slides=f.str_list("slides"),
        polls=settings,
        progress=f.bool("progress", True),
        slide_number=f.bool("slide_number", True),
        align=f.choice("align", ALIGNS, "top") or "top",
        font=f.choice("font", fonts.CHOICES, fonts.SYSTEM) or fonts.SYSTEM,
        reactions=reactions(f),
        duration=f.seconds("duration"),
        timer_sound=f.bool("timer_sound", False),
    )


def reactions(f: Fields) -> tuple[str, ...]:
    """`reactions: [👏, ❤️, 😂, 🤔]`: short, distinct, at most MAX_REACTIONS (off when absent)."""
    found = f.str_list("reactions")
    if len(found) > MAX_REACTIONS:
        f.error("reactions", f"`reactions` takes at most {MAX_REACTIONS} emoji")
        return ()
    for item in found:
        if not item.strip() or len(item) > 8 or any(c.isspace() or c.isalnum() for c in item):
            f.error("reactions", f"{item!r} is not an emoji; write them as [👏, ❤️, 😂, 🤔]")
            return ()
    if len(set(found)) != len(found):
        f.error("reactions", "an emoji appears twice in `reactions`")
        return ()
    return found


def _data_protection(polls: Fields) -> tuple[int | None, str | None]:
    """`retention` (a duration: how long answers are kept) and `privacy` (the join page's
    notice replacing the default) of the `polls:` settings."""
    from deckpoll.retention import DURATION_HINT, parse_duration

    text = polls.str("retention")
    retention = None
    if text is not None:
        retention = parse_duration(text)
        if retention is None:
            polls.error("retention", f"`retention` must be {DURATION_HINT}, not {text!r}")
    privacy = polls.str("privacy")
    if privacy is not None and not privacy:
        polls.error("privacy", "`privacy` must not be empty: leave it out for the default notice")
        privacy = None
    if privacy is not None and len(privacy) > PRIVACY_CHARS:
        polls.error("privacy", f"`privacy` must be at most {PRIVACY_CHARS} characters")
        privacy = None
    return retention, privacy


def _poll_settings(polls: Fields, lang: str) -> PollSettings:
    polls.check_keys(POLL_SETTINGS_KEYS)
    code = polls.str("code")
    if code is not None and not re.fullmatch(r"[A-Za-z0-9-]{3,32}", code):
        polls.error("code", '`code` must be 3-32 letters, digits or dashes (e.g. "490296")')
        code = None
    url = polls.str("url")
    join_url = polls.str("join_url")
    for key, value in (("url", url), ("join_url", join_url)):
        if value is not None and not re.match(r"https?://", value):
            polls.error(key, f"`{key}` must be an http:// or https:// URL")
    groups = _groups(polls, lang)
    group_all = polls.bool("group_all", False)
    if group_all and not groups:
        polls.error("group_all", "`group_all` needs `groups:` (a number of tables or names)")
    auto_open = polls.bool("auto_open", True)
    retention, privacy = _data_protection(polls)
    personal = polls.choice("personal_data", PERSONAL_DATA, "hold") or "hold"
    return PollSettings(
        code,
        url,
        join_url,
        auto_open,
        retention,
        privacy,
        groups,
        group_all and bool(groups),
        personal,
    )


def _groups(polls: Fields, lang: str) -> tuple[tuple[str, str], ...]:
    """`groups: 12` (tables numbered 1-12, labelled in the deck's language) or a list of
    names; (id, label) pairs."""
    value = polls.data.get("groups")
    if value is None:
        return ()
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= MAX_GROUPS:
            polls.error("groups", f"`groups` must be between 1 and {MAX_GROUPS} tables")
            return ()
        label = strings.section(lang, "deck")["table_n"]
        return tuple((str(n), strings.fill(str(label), n=n)) for n in range(1, value + 1))
    names = polls.str_list("groups") if isinstance(value, list) else None
    if names is None:
        polls.error("groups", "`groups` must be a number of tables (12) or a list of names")
        return ()
    found: dict[str, str] = {}
    for i, name in enumerate(n.strip() for n in names):
        where = polls.doc.value_at(polls.path + ("groups", i))
        if not name or len(name) > GROUP_NAME_CHARS:
            polls.reporter.error(where, f"a table name must be 1-{GROUP_NAME_CHARS} characters")
        elif name in found:
            polls.reporter.error(where, f"table {name!r} is named twice; each needs its own")
        else:
            found[name] = name
    if len(found) > MAX_GROUPS:
        polls.error("groups", f"at most {MAX_GROUPS} tables")
        return ()
    return tuple(found.items())


def slide_options(
    doc: YamlDoc, reporter: Reporter, layouts: tuple[str, ...] = LAYOUTS
) -> dict[str, Any]:
    """Validate a `<!-- slide: {...} -->` mapping into plain options; `layouts`: those the
    deck's theme knows (theme.Theme.layouts)."""
    f = Fields(doc, (), "slide option", reporter)
    f.check_keys(SLIDE_KEYS)
    slide_id = f.str("id")
    if slide_id is not None and not ID_PATTERN.match(slide_id):
        f.error(
            "id",
            "`id` must be letters, digits, `-` or `_` (at most 64), starting with a "
            "letter or digit",
        )
        slide_id = None
    classes = []
    for name in (f.str("class") or "").split():
        if re.fullmatch(r"-?[A-Za-z_][\w-]*", name):
            classes.append(name)
        else:
            f.error("class", f"{name!r} is not a valid CSS class name")
    return {
        "layout": f.choice("layout", layouts),
        "classes": tuple(classes),
        "id": slide_id,
        "background": f.str("background"),
        "title": f.str("title"),
        "align": f.choice("align", ALIGNS),
        "background_at": f.value_where("background"),
        "timer": f.seconds("timer"),
        "minutes": _minutes(f),
    }


def _minutes(f: Fields) -> float | None:
    """`minutes: 3` (or 1.5): the time planned for a slide, for the speaker view's pace."""
    value = f.data.get("minutes")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1440:
        f.error("minutes", "`minutes` must be a number of minutes (0 to 1440), such as 3 or 1.5")
        return None
    return float(value)


def poll(
    doc: YamlDoc,
    reporter: Reporter,
    auto_open_default: bool,
    deck_polls: PollSettings | None = None,
) -> Poll | None:
    """Validate a ```poll block; None when it cannot become a poll."""
    f = Fields(doc, (), "poll", reporter)
    if not f.ok:
        return None
    f.check_keys((*POLL_COMMON_KEYS, *sorted(kind_keys())))
    before = len(reporter.diagnostics)
    poll_id = f.str("id", required=True)
    if poll_id and not ID_PATTERN.match(poll_id):
        f.error(
            "id",
            "poll `id` must be letters, digits, `-` or `_` (at most 64), starting "
            "with a letter or digit; votes are keyed by it, so keep it stable",
        )
    known = kinds.names()
    if not f.has("kind"):
        reporter.error(doc.origin, f"poll needs `kind:` (one of: {', '.join(known)})")
    kind_name = f.choice("kind", known)
    kind = kinds.kind(kind_name)
    question = f.str("question", required=True)
    if kind is not None:
        for key in sorted(kind_keys() - set(kind.keys)):
            if f.has(key):
                f.error(key, _misplaced(key, kind.name))
    fields = kind.read(f) if kind is not None else {}
    results = f.choice("results", RESULTS_MODES, "live") or "live"
    auto_open = f.bool("auto_open", auto_open_default)
    moderation = f.choice("moderation", MODERATION_MODES, "none") or "none"
    deck_polls = deck_polls or PollSettings()
    group = f.bool("group", deck_polls.group_all)
    if group and not deck_polls.groups:
        f.error("group", "`group: true` needs the tables in deck.yaml: `polls: {groups: 12}`")
    if any(d.severity == "error" for d in reporter.diagnostics[before:]):
        return None
    model = {k: v for k, v in fields.items() if k in POLL_FIELDS}
    extra = tuple((k, v) for k, v in fields.items() if k not in POLL_FIELDS)
    return Poll(
        id=poll_id or "",
        kind=kind_name or "open",
        question=question or "",
        results=results,
        auto_open=auto_open,
        moderation=moderation,
        group=group and bool(deck_polls.groups),
        settings=extra,
        **model,
    )


def kind_keys() -> set[str]:
    """Every key some kind takes (a key of another kind gets a clear error)."""
    return {key for kind in kinds.kinds().values() for key in kind.keys}


def _misplaced(key: str, kind: str) -> str:
    owners = [k.name for k in kinds.kinds().values() if key in k.keys]
    if key == "options":
        return f"a {kind} poll takes no `options:`; remove them or use kind {owners[0]}"
    return f"`{key}` only applies to {' and '.join(owners)} polls"
