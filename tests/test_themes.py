"""Built-in themes: WCAG 2.1 contrast of every text/background pair, and theme hygiene."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

THEMES_DIR = Path(__file__).resolve().parents[1] / "themes"
THEMES = ("default", "dark")

AA_TEXT = 4.5  # body text
AA_LARGE = 3.0  # large text (>= 24px, or >= 18.66px bold) and UI components

CODE_TOKENS = (
    "keyword type string escape number comment function builtin tag operator inserted deleted"
).split()

# (foreground, background, minimum ratio, what it is)
TEXT_PAIRS: list[tuple[str, str, float, str]] = (
    [
        ("--dp-fg", "--dp-bg", AA_TEXT, "body text"),
        ("--dp-muted", "--dp-bg", AA_TEXT, "secondary text"),
        ("--dp-heading", "--dp-bg", AA_TEXT, "headings"),
        ("--dp-accent", "--dp-bg", AA_TEXT, "accent text (column headings, labels)"),
        ("--dp-link", "--dp-bg", AA_TEXT, "links"),
        ("--dp-accent-fg", "--dp-accent", AA_TEXT, "text on the accent colour"),
        ("--dp-fg", "--dp-accent-soft", AA_TEXT, "text on tinted cards"),
        ("--dp-accent", "--dp-accent-soft", AA_LARGE, "card numbers and rules"),
        ("--dp-focus", "--dp-bg", AA_LARGE, "focus ring"),
        ("--dp-section-fg", "--dp-section-bg", AA_TEXT, "section slides"),
        ("--dp-placeholder-fg", "--dp-placeholder-bg", AA_TEXT, "figure placeholder text"),
        ("--dp-heading", "--dp-placeholder-bg", AA_TEXT, "figure placeholder title"),
        ("--dp-muted", "--dp-placeholder-bg", AA_LARGE, "figure placeholder border"),
        ("--dp-code-fg", "--dp-code-bg", AA_TEXT, "code"),
        ("--dp-code-fg", "--dp-bg", AA_LARGE, "inline code box against the page"),
        ("--dp-poll-bar", "--dp-bg", AA_LARGE, "poll bar against the slide"),
        ("--dp-poll-bar", "--dp-poll-track", AA_LARGE, "poll bar against its track"),
        ("--dp-poll-bar-fg", "--dp-poll-bar", AA_TEXT, "count written on a bar"),
        ("--dp-poll-fg", "--dp-bg", AA_TEXT, "poll labels"),
        ("--dp-poll-fg", "--dp-poll-track", AA_TEXT, "poll label over an empty track"),
        ("--dp-poll-card-fg", "--dp-poll-card-bg", AA_TEXT, "text-wall answers"),
        ("--dp-poll-join-fg", "--dp-poll-join-bg", AA_TEXT, "join box text"),
        ("--dp-poll-code", "--dp-poll-join-bg", AA_TEXT, "join code"),
    ]
    + [(f"--dp-poll-cloud-{n}", "--dp-bg", AA_TEXT, f"word-cloud colour {n}") for n in range(1, 6)]
    + [
        (f"--dp-code-{token}", "--dp-code-bg", AA_TEXT, f"code token {token}")
        for token in CODE_TOKENS
    ]
)

DECLARATION = re.compile(r"(--dp-[a-z0-9-]+)\s*:\s*([^;]+);")
VAR = re.compile(r"var\(\s*(--dp-[a-z0-9-]+)\s*(?:,[^)]*)?\)")
HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
RGB = re.compile(r"rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")

Colour = tuple[float, float, float, float]  # r, g, b in 0..255, alpha in 0..1


def theme_css(name: str) -> str:
    return (THEMES_DIR / name / "theme.css").read_text(encoding="utf-8")


def strip_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def block(css: str, selector: str) -> dict[str, str]:
    """The --dp-* declarations of the first rule whose selector is exactly `selector`."""
    for match in re.finditer(r"([^{}]+)\{([^{}]*)\}", strip_comments(css)):
        if match.group(1).strip() == selector:
            return {
                name: " ".join(value.split()) for name, value in DECLARATION.findall(match.group(2))
            }
    raise AssertionError(f"no rule `{selector} {{ ... }}` found")


def parse_colour(value: str) -> Colour:
    value = value.strip()
    if m := HEX.fullmatch(value):
        digits = m.group(1)
        if len(digits) == 3:
            digits = "".join(ch * 2 for ch in digits)
        r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
        return (r, g, b, 1.0)
    if m := RGB.fullmatch(value):
        alpha_text = m.group(4)
        if alpha_text is None:
            alpha = 1.0
        elif alpha_text.endswith("%"):
            alpha = float(alpha_text[:-1]) / 100
        else:
            alpha = float(alpha_text)
        return (float(m.group(1)), float(m.group(2)), float(m.group(3)), alpha)
    raise ValueError(f"not a colour this test understands: {value!r}")


def resolve(props: dict[str, str], name: str, seen: frozenset[str] = frozenset()) -> str:
    if name in seen:
        raise AssertionError(f"custom property cycle through {name}")
    if name not in props:
        raise AssertionError(f"{name} is not defined")
    value = props[name]
    if m := VAR.fullmatch(value):
        return resolve(props, m.group(1), seen | {name})
    return value


def colour(props: dict[str, str], name: str) -> Colour:
    return parse_colour(resolve(props, name))


def over(top: Colour, bottom: Colour) -> Colour:
    """Alpha-composite `top` over an opaque `bottom`."""
    a = top[3]
    return (*(top[i] * a + bottom[i] * (1 - a) for i in range(3)), 1.0)


def luminance(c: Colour) -> float:
    def channel(v: float) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])


def contrast(a: Colour, b: Colour) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def palettes() -> list[tuple[str, dict[str, str]]]:
    """Every palette a slide can get: each theme's :root, and its `.dark` slide variant (a
    rule of the default theme, which the dark theme extends)."""
    result = []
    dark_slide = block(theme_css("default"), ".dp-slide.dark")
    for name in THEMES:
        root = block(theme_css(name), ":root")
        result.append((f"{name}", root))
        result.append((f"{name} .dark", {**root, **dark_slide}))
    return result


PALETTES = palettes()


# -- the contrast computation itself ------------------------------------------------------


def test_contrast_matches_known_values() -> None:
    black, white = parse_colour("#000"), parse_colour("#ffffff")
    assert contrast(black, white) == pytest.approx(21.0)
    assert contrast(white, white) == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is 4.54:1, the lightest grey that passes AA.
    assert contrast(parse_colour("#767676"), white) == pytest.approx(4.54, abs=0.01)
    assert contrast(parse_colour("#777777"), white) < AA_TEXT


def test_alpha_is_composited() -> None:
    half_black = parse_colour("rgba(0, 0, 0, 0.5)")
    assert over(half_black, parse_colour("#ffffff"))[:3] == pytest.approx((127.5,) * 3)


def test_a_bad_colour_fails() -> None:
    props = {"--dp-fg": "#9aa5b1", "--dp-bg": "var(--dp-page)", "--dp-page": "#fff"}
    assert contrast(colour(props, "--dp-fg"), colour(props, "--dp-bg")) < AA_TEXT


# -- the themes ---------------------------------------------------------------------------


@pytest.mark.parametrize(("palette", "props"), PALETTES, ids=[p for p, _ in PALETTES])
@pytest.mark.parametrize(
    ("fg", "bg", "minimum", "what"), TEXT_PAIRS, ids=[f"{fg}/{bg}" for fg, bg, _, _ in TEXT_PAIRS]
)
def test_contrast(
    palette: str, props: dict[str, str], fg: str, bg: str, minimum: float, what: str
) -> None:
    background = colour(props, bg)
    assert background[3] == 1.0, f"{bg} must be opaque"
    ratio = contrast(over(colour(props, fg), background), background)
    assert ratio >= minimum, f"{palette}: {what} ({fg} on {bg}) is {ratio:.2f}:1 < {minimum}:1"


@pytest.mark.parametrize(("palette", "props"), PALETTES, ids=[p for p, _ in PALETTES])
def test_scrim_keeps_text_legible_on_any_picture(palette: str, props: dict[str, str]) -> None:
    scrim = colour(props, "--dp-scrim")
    text = colour(props, "--dp-scrim-fg")
    # The worst picture under the scrim is the one closest in colour to the text.
    for picture in ("#ffffff", "#000000", "#808080"):
        ratio = contrast(text, over(scrim, parse_colour(picture)))
        assert ratio >= AA_TEXT, f"{palette}: text over scrim on {picture} is {ratio:.2f}:1"


@pytest.mark.parametrize("name", THEMES)
def test_documented_properties_are_defined(name: str) -> None:
    root = block(theme_css(name), ":root")
    header = re.search(r"/\*.*?\*/", theme_css("default"), flags=re.S)
    assert header is not None
    documented = set(re.findall(r"--dp-[a-z0-9-]+", header.group(0)))
    # "--dp-poll-cloud-1 … --dp-poll-cloud-5" names a range.
    documented |= {f"--dp-poll-cloud-{n}" for n in range(1, 6)}
    assert documented - set(root) == set(), "documented but not defined"
    assert set(root) - documented == set(), "defined but not documented in default/theme.css"


def test_themes_define_the_same_properties() -> None:
    assert set(block(theme_css("default"), ":root")) == set(block(theme_css("dark"), ":root"))


def test_docs_list_every_property() -> None:
    docs = (THEMES_DIR.parent / "docs" / "themes.md").read_text(encoding="utf-8")
    for name in block(theme_css("default"), ":root"):
        assert name in docs or name.startswith("--dp-poll-cloud-"), f"{name} not in docs"


def test_dark_theme_extends_default_and_only_sets_the_palette() -> None:
    meta = (THEMES_DIR / "dark" / "theme.yaml").read_text(encoding="utf-8")
    assert re.search(r"(?m)^extends: default$", meta)
    rules = strip_comments(theme_css("dark")).strip()
    assert rules.startswith(":root {") and rules.endswith("}")
    assert rules.count("{") == 1, "the dark theme sets properties only; layout lives in default"


def test_dark_slide_class_matches_the_dark_theme() -> None:
    dark_root = block(theme_css("dark"), ":root")
    dark_class = block(theme_css("default"), ".dp-slide.dark")
    for name, value in dark_class.items():
        assert dark_root[name] == value, f".dark {name} differs from the dark theme"


@pytest.mark.parametrize("name", THEMES)
def test_no_external_resources(name: str) -> None:
    css = strip_comments(theme_css(name))
    assert "@import" not in css
    assert "@font-face" not in css
    for url in re.findall(r"url\(([^)]*)\)", css):
        assert not re.match(r"""\s*['"]?\s*(?:[a-z][a-z0-9+.-]*:|//)""", url, re.I), url


@pytest.mark.parametrize("name", THEMES)
def test_does_not_style_presentation_mechanics(name: str) -> None:
    """Positioning, scaling and showing slides belong to the runtime CSS."""
    for rule in re.finditer(r"([^{}]+)\{([^{}]*)\}", strip_comments(theme_css(name))):
        selector, body = rule.group(1), rule.group(2)
        for one in selector.split(","):
            subject = re.split(r"[\s>+~]+", one.strip())[-1]
            if re.search(r"\.dp-(?:slide|deck)(?![-\w])", subject):
                for (
                    prop
                ) in "position transform display visibility opacity width height zoom".split():
                    assert not re.search(rf"(?<![-\w]){prop}\s*:", body), (one, prop)
        assert "dp-fragment" not in selector and "dp-visible" not in selector, selector
        assert "dp-notes" not in selector, selector


@pytest.mark.parametrize("name", THEMES)
def test_braces_balance(name: str) -> None:
    css = strip_comments(theme_css(name))
    depth = 0
    for ch in css:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
