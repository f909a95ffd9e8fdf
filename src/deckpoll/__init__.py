"""deckpoll: compile Markdown + YAML talks into self-contained HTML decks with live polls."""

__version__ = "0.1.0"
