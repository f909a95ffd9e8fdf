"""Image size and placement as Marp writes them in the alt text (`![w:300 h:200](x.png)`,
`![width:50%](x.png)`, `![bg left:40%](x.jpg)`), and `{width=… height=…}` after an image."""

from __future__ import annotations

import re
from urllib.parse import unquote

from markdown_it.token import Token

from deckpoll.errors import did_you_mean

# `w:300`, `height:50%`: Marp's size keywords; a bare number is CSS px
SIZE = re.compile(r"^(w|h|width|height):(\d+(?:\.\d+)?)(px|%|em|rem)?$")
LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(px|%|em|rem)?$")
# what `![bg …]` takes after `bg`: a side with an optional share, and how the picture fills
SIDE = re.compile(r"^(left|right)(?::(\d{1,2}(?:\.\d+)?)%)?$")
FILL = {"cover": "cover", "contain": "contain", "fit": "contain", "auto": "auto"}
# the attributes `{…}` may set on an image; others (event handlers, style, src) are refused
ATTRS = ("width", "height", "class", "id")


def image_options(tokens: list[Token], options: dict, ctx) -> None:
    """Read size keywords and `{…}` attributes into an inline style; take a `bg` image out of
    the text into the slide's options (`background`, `background_at`, `split`, `fill`)."""
    for token in list(tokens):
        for child in list(token.children or []):
            if child.type != "image":
                continue
            where = _locate(ctx, token, child)
            words = child.content.split()
            if words[:1] == ["bg"]:
                _background(tokens, token, child, words[1:], options, ctx, where)
            else:
                _size(child, words, ctx, where)


def _size(image: Token, words: list[str], ctx, where) -> None:
    sizes: dict[str, str] = {}
    alt: list[str] = []
    for word in words:
        match = SIZE.match(word)
        if match:
            sizes["width" if match[1][0] == "w" else "height"] = match[2] + (match[3] or "px")
        else:
            alt.append(word)
    refused = []
    for name in [key for key, _ in image.attrItems() if key not in ("src", "alt", "title")]:
        value = str(image.attrs.pop(name))
        if name in ("width", "height") and (length := LENGTH.match(value)):
            sizes[name] = length[1] + (length[2] or "px")
        elif name in ("class", "id"):
            image.attrSet(name, value)
        else:
            hint = did_you_mean(name, ATTRS)
            refused.append(f"{name}={value!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
    if refused:
        ctx.reporter.error(
            where,
            f"image attributes not allowed: {', '.join(refused)}; an image takes "
            f"{', '.join(ATTRS)} (width and height as 300, 300px or 50%)",
        )
    if len(alt) != len(words):
        _set_alt(image, " ".join(alt))
    if sizes:
        # the other side follows the picture's proportions
        sizes.setdefault("height" if "width" in sizes else "width", "auto")
        image.attrSet(
            "style", "; ".join(f"{k}: {v}" for k, v in sorted(sizes.items(), reverse=True))
        )


def _background(tokens, block: Token, image: Token, words, options, ctx, where) -> None:
    """`![bg](x.jpg)` is the slide's background; `left`/`right[:NN%]` puts it beside the text."""
    split, fill = None, None
    for word in words:  # other words are the picture's description, unused on a background
        side = SIDE.match(word)
        if side:
            split = (side[1], (side[2] or "50") + "%")
        elif word in FILL:
            fill = FILL[word]
    block.children.remove(image)
    if not any(
        c.type != "softbreak" and (c.type != "text" or c.content.strip()) for c in block.children
    ):
        index = tokens.index(block)
        if index and tokens[index - 1].type == "paragraph_open":
            del tokens[index - 1 : index + 2]
    if options.get("background"):
        # a warning, not an error: Marp lays several side by side, and an imported deck
        # must still build
        ctx.reporter.warning(
            where,
            "a slide takes one background: this `![bg]` comes after another (or after the "
            "`background:` option) and is left out; remove one",
        )
        return
    # the file as named on disk (markdown-it percent-encodes `bild ö.jpg`)
    options["background"] = unquote(str(image.attrGet("src") or "").split("#")[0].split("?")[0])
    options["background_at"] = where
    if split:
        options["split"] = split
    if fill:
        options["fill"] = fill


def _set_alt(image: Token, alt: str) -> None:
    image.content = alt
    image.children = [Token("text", "", 0, content=alt)] if alt else []


def _locate(ctx, block: Token, image: Token):
    first, end = block.map or (0, 1)
    needle = f"![{image.content}"
    for line in range(first, min(end, len(ctx.lines))):
        col = ctx.lines[line].find(needle)
        if col >= 0:
            return ctx.at(line, col + 1)
    return ctx.at(first)
