"""Markdown stage: markdown-it-py with deckpoll's plugins, one file each."""
