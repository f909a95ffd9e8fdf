"""Voter tokens issued by the server: `POST /api/v1/voters` gives a phone its token, signed
(HMAC-SHA256) with a secret of the deck kept in the store, so that a made-up or altered
token is refused (401 `unknown_voter`) and the rate limit and `max_answers`, which count
per token, cannot be dodged by inventing tokens.

A token belongs to one deck and one talk: the secret is the talk's (a new secret, as
`--fresh` makes, is a new talk), the deck id is signed in, and the phone keeps it under a
`localStorage` key naming both, so one phone's answers cannot be linked across talks or
across decks served from the same address. A token carries the minute it was issued,
signed with the rest: with `polls.retention` set it expires after that period (401, and the
phone gets a new one), so no token outlives the answers it could link. Minting is limited
per client address, generously (a room behind one NAT address joins at once), and counted
in the store, so across every worker and machine of a talk sharing Redis; the store holds a
MAC of the address under the talk's secret, never the address, and forgets it within a
minute.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from deckpoll.server.validate import Invalid
from deckpoll.stores.base import Rate, StoreError

SECRET_META = "voter_secret"  # the store's meta key holding the talk's secret (hex)
ID_CHARS = 16  # 12 random bytes, base64url
ISSUED_CHARS = 6  # the minute it was issued (4 bytes, big-endian), base64url
MAC_CHARS = 22  # 16 bytes of HMAC-SHA256, base64url
TOKEN_CHARS = ID_CHARS + ISSUED_CHARS + MAC_CHARS
# New voters per client address and minute. A room of 500 phones behind one NAT address
# joining within a minute must pass; a script minting thousands must not.
DEFAULT_PER_MINUTE = 600
# "Unusually fast": more distinct voters answering within WINDOW seconds than this many
# times the phones connected, plus SLACK (phones that answered and then slept).
WINDOW = 60.0
RATIO = 2.0
SLACK = 10
WARN_EVERY = 60.0  # seconds between two warnings
PRUNE_EVERY = 5.0  # seconds between two passes forgetting voters older than WINDOW


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def talk_secret(store, *, renew: bool = False) -> bytes:
    """The talk's secret from the store, made (or, with `renew`, replaced) if needed. Made
    with `setdefault_meta`: servers of one talk starting at once agree on one secret."""
    secret = secrets.token_bytes(32)
    if renew:
        await store.set_meta(SECRET_META, secret.hex())
        return secret
    return bytes.fromhex(await store.setdefault_meta(SECRET_META, secret.hex()))


class VoterTokens:
    """Mints and checks the tokens of one deck's talk; watches how fast voters appear."""

    def __init__(
        self,
        deck_id: str,
        secret: bytes,
        per_minute: int = DEFAULT_PER_MINUTE,
        retention: int | None = None,
    ):
        self.deck_id = deck_id
        self._rekey(secret)
        # Seconds a token stays valid (`polls.retention`); None: as long as the talk.
        self.retention = retention
        self.minting = Rate(float(per_minute), per_minute / 60.0)
        self._answered: dict[str, float] = {}
        self._warned = float("-inf")
        self._pruned = float("-inf")

    def _rekey(self, secret: bytes) -> None:
        self._key = secret
        # Public: names the talk in the phone's storage key (derived, never the secret).
        self.talk = _b64(hmac.new(secret, b"talk", hashlib.sha256).digest()[:9])

    async def follow(self, store) -> None:
        """Take the store's secret if another server replaced it (`--fresh`: a new talk)."""
        saved = await store.get_meta(SECRET_META)
        if saved and saved != self._key.hex():
            self._rekey(bytes.fromhex(saved))

    def address_bucket(self, address: str) -> str:
        """The store's bucket counting the tokens minted for one client address: named by
        a MAC of the address under the talk's secret, so that the store (Redis, shared by
        the servers of the talk) never holds an address, and it goes with the talk."""
        mac = hmac.new(self._key, b"address\x00" + address.encode(), hashlib.sha256)
        return "mint:" + _b64(mac.digest()[:12])

    def _mac(self, head: str) -> str:
        message = f"{self.deck_id}\x00{head}".encode()
        # hmac.digest: OpenSSL's one-shot HMAC (checked on every answer; hmac.new is slower)
        return _b64(hmac.digest(self._key, message, "sha256")[:16])

    def sign(self, ident: str, now: float | None = None) -> str:
        """The token for a 16-character `ident` issued at `now`."""
        minute = int((time.time() if now is None else now) // 60)
        head = ident + _b64(minute.to_bytes(4, "big"))
        return head + self._mac(head)

    def mint(self, now: float | None = None) -> str:
        return self.sign(_b64(secrets.token_bytes(12)), now)

    def issued(self, token: str) -> float:
        """When a (well-formed) token was issued, to the minute (epoch seconds)."""
        raw = base64.urlsafe_b64decode(token[ID_CHARS : ID_CHARS + ISSUED_CHARS] + "==")
        return int.from_bytes(raw, "big") * 60.0

    def expires(self, token: str) -> float | None:
        """When the token stops being valid (epoch seconds); None: with the talk."""
        return None if self.retention is None else self.issued(token) + self.retention

    def valid(self, token: str, now: float | None = None) -> bool:
        if len(token) != TOKEN_CHARS:
            return False
        head = token[: ID_CHARS + ISSUED_CHARS]
        if not hmac.compare_digest(token[len(head) :], self._mac(head)):
            return False
        ends = self.expires(token)
        return ends is None or (time.time() if now is None else now) < ends

    def answered(self, voter: str, phones: int, now: float | None = None) -> int | None:
        """Note an accepted answer; returns how many voters answered within WINDOW when far
        more did than phones are connected (tokens minted by a script), at most once a
        minute, else None."""
        now = time.monotonic() if now is None else now
        self._answered[voter] = now
        if now - self._pruned > PRUNE_EVERY:  # not on every answer: that would be O(n) each
            self._pruned = now
            for old, when in list(self._answered.items()):
                if now - when > WINDOW:
                    del self._answered[old]
        voters = len(self._answered)
        if voters <= RATIO * phones + SLACK or now - self._warned < WARN_EVERY:
            return None
        self._warned = now
        return voters


async def ensure(state) -> VoterTokens | None:
    """The app's VoterTokens (ServerState.voters), made on first use from the store (a
    preview may start before its deck builds); None while there is no deck."""
    if state.voters is None and state.session is not None:
        async with state.voters_lock:
            if state.voters is None:
                session = state.session
                secret = await talk_secret(session.store)
                deck_id = str(session.manifest.get("id") or "")
                retention = (session.manifest.get("polls_config") or {}).get("retention")
                state.voters = VoterTokens(
                    deck_id, secret, state.voters_per_minute, retention=retention
                )
    return state.voters


async def check(request: Request, voter: str) -> VoterTokens:
    """Refuse a token this server did not sign for this deck and talk (401)."""
    tokens = await ensure(request.app.state)
    if tokens is None or not tokens.valid(voter):
        raise Invalid(401, "unknown_voter", "unknown voter token; get one from POST /api/v1/voters")
    return tokens


def _refuse(status: int, code: str, message: str, retry: str) -> Response:
    return JSONResponse({"error": code, "message": message}, status, {"Retry-After": retry})


async def mint(request: Request) -> Response:
    """`POST /api/v1/voters`: a new voter token (429 `too_many_voters` past the limit)."""
    try:
        tokens = await ensure(request.app.state)
    except StoreError as exc:
        return _refuse(503, "store_unavailable", str(exc), "1")
    if tokens is None:
        return _refuse(503, "not_built", "the deck has not built yet", "1")
    address = request.client.host if request.client else ""
    store = request.app.state.session.store
    try:
        # Counted in the store: across every worker and machine of the talk with Redis.
        allowed = await store.take(tokens.address_bucket(address), tokens.minting)
    except StoreError as exc:
        return _refuse(503, "store_unavailable", str(exc), "1")
    if not allowed:
        return _refuse(429, "too_many_voters", "too many new voters from here; wait", "5")
    token = tokens.mint()
    body = {"voter": token, "deck": tokens.deck_id, "talk": tokens.talk}
    # The phone forgets the token then (it would be refused anyway): epoch seconds or null.
    body["expires"] = tokens.expires(token)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
