"""The server app's state: what every request handler may read, typed and in one place."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from deckpoll.server.keys import PresenterKey
from deckpoll.server.session import Session
from deckpoll.server.site import Site
from deckpoll.server.voters import DEFAULT_PER_MINUTE, VoterTokens
from deckpoll.stores.base import Rate

# Answers per voter token (not per address: a whole room shares one NAT address): 10 at
# once, 5 a second after that. Counted by the store, so across workers and machines.
ANSWER_RATE = Rate(burst=10.0, per_second=5.0)
REACTION_RATE = Rate(burst=2.0, per_second=2.0)


@dataclass(slots=True)
class ServerState:
    """`app.state` of the deckpoll app (in place of Starlette's untyped State). A field
    that handlers need is added here; slots make a misspelt attribute an error."""

    # The key's hash (keys.py): the key itself may be known only to another server.
    presenter: PresenterKey
    site: Site
    # None while nothing has built yet (a preview of a broken deck): the API answers 503.
    session: Session | None
    join_url: str | None = None
    join_code: str | None = None
    answer_rate: Rate = ANSWER_RATE
    # Reactions (reactions.py): two at once, two a second per voter, apart from answers.
    reaction_rate: Rate = REACTION_RATE
    # Server-issued voter tokens (voters.py): made from the store's secret on first use.
    voters: VoterTokens | None = None
    voters_per_minute: int = DEFAULT_PER_MINUTE
    voters_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # The key when this server knows it (the preview puts it into its page); else None.
    presenter_key: str | None = None
