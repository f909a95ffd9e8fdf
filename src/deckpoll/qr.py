"""QR codes of join URLs as inline SVG (segno)."""

from __future__ import annotations

import functools

from markupsafe import Markup


@functools.lru_cache(maxsize=16)
def qr_svg(url: str, title: str) -> Markup:
    """An accessible inline SVG QR code for `url`; computed once per URL and title."""
    import segno

    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        scale=1,
        border=2,
        dark="#000",
        light="#fff",
        title=title,
        svgclass="dp-qr-code",
        lineclass=None,
        omitsize=True,
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))
