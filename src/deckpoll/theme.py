"""Themes (built-in or a deck's own folder) and the browser runtime files."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from deckpoll.assets import Assets
from deckpoll.errors import Location, Reporter
from deckpoll.load import OUTSIDE_HINT, builtin_themes, confined
from deckpoll.model import LAYOUTS

BUILTIN = ("default", "dark")
EXTERNAL_CSS = re.compile(r"@import\b|url\(\s*[\"']?(?:[a-z][a-z0-9+.-]*:|//)(?!data:)", re.I)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
CSS_URL = re.compile(r"url\(\s*([\"']?)([^\"')]+)\1\s*\)")
THEME_KEYS = ("extends", "layouts")
LAYOUT_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")


@dataclass(frozen=True)
class Theme:
    name: str
    css: str
    folder: Path | None
    # Where templates are looked up, this theme's folder first, then those it extends.
    folders: tuple[Path, ...] = ()
    # The slide layouts a deck may name: every theme's (model.LAYOUTS), then those this
    # theme and the themes it extends declare in theme.yaml.
    layouts: tuple[str, ...] = LAYOUTS


def load_theme(
    name: str,
    root: Path,
    where: Location,
    reporter: Reporter,
    assets: Assets,
    extending: tuple[Path, ...] = (),
) -> Theme:
    """The theme a deck names: built-in, or a folder (relative to the deck) with theme.css.

    A theme folder may hold theme.yaml with `extends: default` (or another theme): the
    CSS of that theme comes first, so a theme of one's own can be a few `--dp-*` lines.
    `layouts: [agenda, big-number]` there adds slide layouts (`dp-layout-agenda` ...)."""
    if name in BUILTIN:
        folder = builtin_themes() / name
    else:
        folder = (root / name).resolve()
        if confined(folder, assets.roots) is None:
            reporter.error(
                where,
                f"theme folder {name!r} lies outside the deck folder (after following symlinks); "
                f"copy the theme folder into the deck or use one of {', '.join(BUILTIN)}",
            )
            return Theme(name, "", None)
    css_path = folder / "theme.css"
    if css_path.exists() and confined(css_path, assets.roots) is None:
        reporter.error(
            where, f"{css_path.name} of theme {name!r} lies outside the deck; {OUTSIDE_HINT}"
        )
        return Theme(name, "", None)
    if not css_path.is_file() and not extending and _looks_like_a_name(name, folder):
        # Another tool's theme (Marp's gaia, Slidev's seriph): the deck still builds.
        hint = difflib.get_close_matches(name, BUILTIN, n=1)
        reporter.warning(
            where,
            f"unknown theme {name!r}; "
            + (f"did you mean {hint[0]!r}? " if hint else "")
            + f"the deck uses the default theme (built in: {', '.join(BUILTIN)}; or a "
            "folder, relative to the deck, that holds theme.css)",
        )
        return load_theme("default", root, where, reporter, assets)
    if not css_path.is_file():
        reporter.error(
            where,
            f"theme {name!r} not found: use one of {', '.join(BUILTIN)} or a "
            "folder (relative to the deck) that holds theme.css",
        )
        return Theme(name, "", None)
    if folder in extending:
        reporter.error(where, f"theme {name!r} extends itself (through `extends:`); break the loop")
        return Theme(name, "", None)
    parent, own_layouts = _theme_meta(folder, reporter, assets)
    base = None
    if parent is not None:
        base = load_theme(*parent, reporter, assets, (*extending, folder))
    own = _own_css(css_path, reporter, assets)
    if base is None:
        return Theme(name, minify_css(own), folder, (folder,), _merge(LAYOUTS, own_layouts))
    return Theme(
        name,
        minify_css(base.css + "\n" + own),
        folder,
        (folder, *base.folders),
        _merge(base.layouts, own_layouts),
    )


def _own_css(css_path: Path, reporter: Reporter, assets: Assets) -> str:
    """A theme's theme.css with comments dropped and its own files (url(logo.svg)) made
    assets; anything from another host is an error at its line."""
    folder = css_path.parent
    css = strip_comments(css_path.read_text("utf-8"))
    for line_no, line in enumerate(css.split("\n"), 1):
        match = EXTERNAL_CSS.search(line)
        if match:
            reporter.error(
                Location(css_path, line_no, match.start() + 1),
                "themes must not load anything from other hosts (no @import, no "
                "external url()); put the file in the theme folder",
            )

    def local(match: re.Match) -> str:
        target = match.group(2).strip()
        if target.startswith(("data:", "#")) or EXTERNAL_CSS.match(f"url({target})"):
            return match.group(0)
        url = assets.data_url(folder / target)
        if url is None:
            line = css[: match.start()].count("\n") + 1
            col = match.start() - (css.rfind("\n", 0, match.start()) + 1) + 1
            problem = (
                f"lies outside the deck folder (after following symlinks); {OUTSIDE_HINT}"
                if assets.outside(folder / target)
                else "not found next to theme.css"
            )
            reporter.error(Location(css_path, line, col), f"theme file {target!r} {problem}")
            return match.group(0)
        return f"url('{url}')"

    return CSS_URL.sub(local, css)


def _looks_like_a_name(name: str, folder: Path) -> bool:
    """A bare name (no path) that names no folder: a theme of another tool, not a typo in a
    path to one's own theme folder (which stays an error)."""
    return not re.search(r"[/\\]|^\.", name) and not folder.exists()


def _merge(known: tuple[str, ...], added: tuple[str, ...]) -> tuple[str, ...]:
    return known + tuple(name for name in dict.fromkeys(added) if name not in known)


def _theme_meta(
    folder: Path, reporter: Reporter, assets: Assets
) -> tuple[tuple[str, Path, Location] | None, tuple[str, ...]]:
    """What the folder's theme.yaml says: the theme it extends (name, folder it is
    relative to, where it is named) and the layouts it adds."""
    from deckpoll.fields import Fields
    from deckpoll.load import read_text
    from deckpoll.yamlsrc import parse_yaml

    meta = folder / "theme.yaml"
    if not meta.is_file():
        return None, ()
    if assets.outside(meta):
        reporter.error(Location(meta), f"theme.yaml lies outside the deck; {OUTSIDE_HINT}")
        return None, ()
    doc = parse_yaml(read_text(meta), Location(meta, 1, 1), reporter)
    if doc is None:
        return None, ()
    fields = Fields(doc, (), "theme", reporter)
    fields.check_keys(THEME_KEYS)
    parent = None
    if fields.has("extends"):
        if isinstance(fields.data["extends"], str):
            parent = (fields.data["extends"], folder, fields.value_where("extends"))
        else:
            fields.error("extends", "`extends` names one theme")
    layouts = []
    for index, name in enumerate(fields.str_list("layouts")):
        if LAYOUT_NAME.fullmatch(name):
            layouts.append(name)
        else:
            reporter.error(
                doc.value_at(("layouts", index)),
                f"layout name {name!r} must be lower-case letters, digits and `-`, starting "
                "with a letter (it becomes the class dp-layout-<name>)",
            )
    return parent, tuple(layouts)


def strip_comments(css: str) -> str:
    """CSS without comments (they are for the theme's authors, not the page), keeping line
    numbers so that errors still point at the right line."""
    return CSS_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), css)


def minify_css(css: str) -> str:
    import rcssmin

    return rcssmin.cssmin(css)


# Runtime files only a deck with polls needs: the results' drawing, the speaker's poll
# console (with the poll kinds' files, runtime/kinds/) and a handout's static results. The
# link to the server (58-link.js: presenter key, speaker notes, the slide reported) is in
# every deck.
POLL_RUNTIME = ("56-console.", "60-polls.", "65-handout.")


# What a handout (deckpoll build --results) leaves out besides: the link to a poll server.
LIVE_RUNTIME = ("58-link.",)


@functools.cache
def runtime_files(polls: bool = True, live: bool = True) -> tuple[str, str]:
    """(CSS, JS) of the browser runtime: runtime/*.css and *.js joined in file-name order and
    minified (rjsmin/rcssmin: readable sources in the package, a small page). Only files
    whose names start with a digit are joined, after the poll kinds' files (runtime/kinds/);
    join.* (the phone page) and preview.js (injected by `deckpoll preview`) are served on
    their own. Without `polls`, POLL_RUNTIME and the kinds stay out (a third of the
    runtime, and of the minifying). Without `live` (a handout: static results) no poll
    script, nor the link to a server (LIVE_RUNTIME), only the polls' styles."""
    import rjsmin

    from deckpoll.runtime import FOLDER as RUNTIME_FOLDER
    from deckpoll.runtime import kinds_script

    folder = RUNTIME_FOLDER
    entries = sorted(
        (
            e
            for e in folder.iterdir()
            if e.name[:1].isdigit() and (polls or not e.name.startswith(POLL_RUNTIME))
        ),
        key=lambda e: e.name,
    )
    css = "\n".join(e.read_text("utf-8") for e in entries if e.name.endswith(".css"))
    # A handout keeps the polls' styles (its static results wear them), not their scripts.
    left_out = () if live else POLL_RUNTIME + LIVE_RUNTIME
    scripts = [
        e.read_text("utf-8")
        for e in entries
        if e.name.endswith(".js") and not (left_out and e.name.startswith(left_out))
    ]
    js = ";\n".join([kinds_script(), *scripts] if polls and live else scripts)
    return minify_css(css), rjsmin.jsmin(js)
