"""`python -m deckpoll` runs the command line."""

from deckpoll.cli import run

run()
