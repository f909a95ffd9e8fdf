"""The built page's Content-Security-Policy: the deck runs under it from disk, its own
images load, and anything from another host is blocked by the browser (issue #12)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from deckpoll.build import build


def _png(width: int, height: int) -> bytes:
    raw = b"".join(b"\x00" + b"\x10\x20\x30" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_the_page_runs_under_its_policy_and_blocks_other_hosts(browser, tmp_path: Path) -> None:
    deck = tmp_path / "deck"
    deck.mkdir()
    (deck / "deck.yaml").write_text("title: T\nlang: en\n")
    (deck / "a.png").write_bytes(_png(20, 10))
    (deck / "slides.md").write_text('# T\n\n![md](a.png)\n\n<img id="raw" src="a.png" alt="raw">\n')
    for single in (False, True):
        out = build(deck, tmp_path / f"out{single}", single_file=single)
        context = browser.new_context()  # no bypass_csp: the page's own policy applies
        try:
            page = context.new_page()
            violations: list[str] = []
            page.on(
                "console",
                lambda m, seen=violations: (
                    seen.append(m.text) if "Content Security" in m.text else None
                ),
            )
            page.goto((out / "index.html").as_uri())
            page.locator("html[data-dp-ready='1']").wait_for(state="attached")
            assert page.evaluate("document.getElementById('raw').naturalWidth") == 20
            blocked = page.evaluate(
                """() => new Promise(done => {
                    document.addEventListener('securitypolicyviolation',
                        e => done(e.blockedURI), {once: true});
                    setTimeout(() => done(''), 3000);
                    const img = document.createElement('img');
                    img.src = 'https://other.example/x.png';
                    document.body.append(img);
                })"""
            )
            assert blocked.startswith("https://other.example")
            assert not [v for v in violations if "other.example" not in v], violations
        finally:
            context.close()
