"""The benchmarks sign their own voter tokens (bench/voter_tokens.py); if the token format
changes and they do not follow, every benchmark answer is a 401 and the figures measure
refusals. These tests keep them in step with the server's VoterTokens."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from deckpoll.server.voters import VoterTokens

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
voter_tokens = pytest.importorskip("voter_tokens")


def test_a_bench_token_is_one_the_server_accepts():
    server = VoterTokens("bench", voter_tokens.BENCH_SECRET)
    assert server.valid(voter_tokens.token("bench", "fan00000001"))
    assert not VoterTokens("other", voter_tokens.BENCH_SECRET).valid(
        voter_tokens.token("bench", "fan00000001")
    )


def test_a_token_file_holds_distinct_tokens_the_server_accepts(tmp_path):
    path = voter_tokens.token_file(tmp_path / "voters.txt", "bench", "r0c1x", 50)
    lines = path.read_text().split()
    assert len(set(lines)) == 50
    server = VoterTokens("bench", voter_tokens.BENCH_SECRET)
    assert all(server.valid(line) for line in lines)
