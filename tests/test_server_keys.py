"""The talk's presenter key (server/keys.py): where it comes from, what the store keeps."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import subprocess

import pytest

from deckpoll.errors import DeckpollError
from deckpoll.server.keys import ENV, KEY_META, KeySource, PresenterKey, talk_key
from deckpoll.stores.base import open_store


def run(coro):
    return asyncio.run(coro)


def test_the_first_server_makes_the_key_and_the_store_keeps_only_its_hash(tmp_path):
    store = open_store("memory://")
    keys = KeySource.find(tmp_path, None, {})
    assert keys.file == tmp_path / ".deckpoll" / "presenter-key" and keys.given is None
    key, digest = run(talk_key(store, keys))
    assert key and digest == hashlib.sha256(key.encode()).hexdigest()
    assert run(store.get_meta(KEY_META)) == digest
    keys.keep(key)
    assert keys.file.read_text() == key + "\n"
    assert keys.file.stat().st_mode & 0o777 == 0o600
    # a restart reads the file: the same key, the same links
    again = KeySource.find(tmp_path, None, {})
    assert run(talk_key(store, again)) == (key, digest)
    # a server without the key checks against the hash and knows no key to print
    (tmp_path / "other").mkdir()
    elsewhere = KeySource.find(tmp_path / "other", None, {})
    assert run(talk_key(store, elsewhere)) == (None, digest)


def test_the_kept_key_is_ignored_by_git_even_with_another_store(tmp_path):
    # With --store redis://… no SQLite file makes the folder first: the key alone must
    # still never be committed with the deck.
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    keys = KeySource.find(tmp_path, None, {})
    key, _ = run(talk_key(open_store("memory://"), keys))
    keys.keep(key)
    check = subprocess.run(["git", "-C", str(tmp_path), "check-ignore", "-q", str(keys.file)])
    assert check.returncode == 0


def test_key_file_beats_the_environment_and_a_wrong_key_is_refused(tmp_path):
    store = open_store("memory://")
    given = tmp_path / "k"
    given.write_text("file-key-0123456789abcdef\n")
    keys = KeySource.find(tmp_path, given, {ENV: "env-key-0123456789abcdef"})
    assert keys.given == "file-key-0123456789abcdef"
    assert run(talk_key(store, keys))[0] == "file-key-0123456789abcdef"
    from_env = KeySource.find(tmp_path, None, {ENV: "env-key-0123456789abcdef"})
    with pytest.raises(DeckpollError, match=f"the presenter key from {ENV} is not this talk's"):
        run(talk_key(store, from_env))
    # --new-key with a key in the environment makes that one the talk's key
    assert run(talk_key(store, from_env, new=True))[0] == "env-key-0123456789abcdef"
    from_env.keep("env-key-0123456789abcdef")  # never written to disk from the environment
    assert not from_env.file.exists()


def test_a_new_key_replaces_the_one_in_the_key_file(tmp_path):
    store = open_store("memory://")
    keys = KeySource.find(tmp_path, None, {})
    old, _ = run(talk_key(store, keys))
    keys.keep(old)
    keys = KeySource.find(tmp_path, None, {})
    new, digest = run(talk_key(store, keys, new=True))
    assert new != old and run(store.get_meta(KEY_META)) == digest
    keys.keep(new)
    assert keys.file.read_text().strip() == new


@pytest.mark.parametrize("bad", ["short", "has space in it 0123456789", "é" * 20, ""])
def test_a_malformed_key_says_where_it_came_from(tmp_path, bad):
    given = tmp_path / "key.txt"
    given.write_text(bad)
    with pytest.raises(DeckpollError, match=r"key\.txt: a presenter key is 16 to 256 characters"):
        KeySource.find(tmp_path, given, {})


def test_presenter_key_matches_in_constant_time_against_the_hash():
    key = PresenterKey.of("k" * 20)
    assert key.matches("k" * 20)
    assert not key.matches("k" * 19)
    key.digest = hashlib.sha256(b"another-key-0123456789").hexdigest()  # rotated elsewhere
    assert not key.matches("k" * 20) and key.matches("another-key-0123456789")


def test_a_worker_whose_store_stays_down_says_so_in_one_line(capfd):
    from deckpoll.server.run import _worker

    def make_app():
        raise DeckpollError("gave up waiting for Redis at 127.0.0.1:1 after 3 attempts")

    with socket.socket() as sock:
        assert _worker(make_app, sock) == 1
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 1 and "gave up waiting for Redis" in err


def test_voter_tokens_follow_a_new_secret_made_by_another_server():
    from deckpoll.server.voters import VoterTokens, talk_secret

    async def go():
        store = open_store("memory://")
        tokens = VoterTokens("d", await talk_secret(store))
        old_token, old_talk = tokens.mint(), tokens.talk
        await tokens.follow(store)  # unchanged: still the same talk
        assert tokens.valid(old_token)
        await talk_secret(store, renew=True)  # --fresh on another server
        await tokens.follow(store)
        assert not tokens.valid(old_token) and tokens.talk != old_talk
        assert VoterTokens("d", await talk_secret(store)).valid(tokens.mint())

    run(go())
