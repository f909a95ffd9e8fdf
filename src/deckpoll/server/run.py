"""`deckpoll serve`: build the deck, open the store, print the links, run uvicorn workers."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from deckpoll.errors import DeckpollError
from deckpoll.server.keys import ENV, KeySource
from deckpoll.server.talk import STORE_WAIT, Talk, open_waiting, settle
from deckpoll.statedir import state_dir
from deckpoll.stores.base import STORE_FILE

RESPAWN_SECONDS = 1.0  # a worker that died is started again after this pause
# The collector's first threshold while serving (CPython's default is 700). An answer's
# request allocates a few hundred container objects and lives until its batch commits, so
# at 700 the young collections ran every few requests and promoted the requests then in
# flight to the old generation, where only full collections find them: about a sixth of
# the server's CPU per answer went to the collector (bench/polls.py). With 500 requests in
# flight 10,000 still cost a tenth; 50,000 costs 7 MB more at peak (84 -> 91 MB).
GC_YOUNG = 50_000


def lan_address() -> str:
    """This machine's address on the local network, for the audience's join URL.

    Connecting a UDP socket sends no packet; it only asks the kernel which interface would
    route to a private address, and `getsockname` tells its address.
    """
    for probe in ("10.255.255.255", "192.168.255.255", "172.31.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                address = sock.getsockname()[0]
        except OSError:
            continue
        if address and not address.startswith(("127.", "0.")):
            return address
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        address = ""
    return address if address and not address.startswith("127.") else "127.0.0.1"


def _url_host(host: str) -> str:
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]"
    except ValueError:
        pass
    return host


def public_host(host: str) -> str:
    """The host the audience types: the LAN address when listening on every interface."""
    if host in ("0.0.0.0", "::", ""):
        return lan_address()
    return host


def default_store_url(deck: Path) -> str:
    """sqlite:////abs/deck/.deckpoll/answers.sqlite3, with a .gitignore keeping it out of git."""
    root = deck if deck.is_dir() else deck.parent
    state = state_dir(root.resolve())
    # The audience's answers are nobody else's business on a shared machine, even when a
    # build made the folder first.
    state.chmod(0o700)
    private_file(state / STORE_FILE)
    return "sqlite:///" + str(state / STORE_FILE)


def private_file(path: Path) -> None:
    """Create `path` readable by its owner only (0600), or make it so. SQLite gives the
    -wal and -shm files it creates next to a database the database's permissions."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket (TCP_NODELAY-friendly protocol, see TESTING.md)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise DeckpollError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def engine() -> tuple[str, str]:
    """(event loop, HTTP parser) that `serve` runs: uvloop and httptools where the platform
    has them (uvicorn[standard]), else asyncio and h11, at about twice the CPU per answer."""
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return loop, http


def tune_collector() -> None:
    """Once the app has started: set aside what start-up made (the deck, the modules, the
    app), which lives as long as the process, so full collections no longer walk it
    (`gc.freeze`), and collect the young generation less often (GC_YOUNG)."""
    import gc

    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG, middle, old)


def run_server(app: Any, sock: socket.socket, connections: Any = None) -> None:
    """Run uvicorn on an already listening socket until SIGINT/SIGTERM. With `connections`
    (limits.Connections), slow request headers are cut and a reserve is kept for the
    presenter (see limits.py)."""
    import uvicorn

    from deckpoll.server.limits import (
        ACCEPT_BURST,
        LISTEN_BACKLOG,
        PresenterReserve,
        guarded_protocol,
    )

    protocol = guarded_protocol(connections) if connections is not None else None
    served = PresenterReserve(app, connections) if protocol is not None else app

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: object) -> None:
            app.end_streams()  # open event streams end cleanly, no cancellation
            super().handle_exit(sig, frame)

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            for listening in sockets or ():
                # asyncio set the queue to `backlog`, which is also its accept burst
                listening.listen(LISTEN_BACKLOG)
            tune_collector()

    loop, http = engine()
    server = Server(
        uvicorn.Config(
            served,
            loop=loop,
            http=protocol or http,
            backlog=ACCEPT_BURST if protocol is not None else LISTEN_BACKLOG,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
            lifespan="on",
        )
    )
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled; the shutdown is already done


def _worker(make_app: Callable[[], Any], sock: socket.socket) -> int:
    """The body of one forked worker: its own store connection and event loop."""
    from deckpoll.server.limits import Connections, capacity, raise_open_files

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        app = make_app()
        run_server(app, sock, Connections(capacity(raise_open_files())))
    except DeckpollError as exc:  # the store stayed unreachable: one line, no traceback
        sys.stderr.write(f"deckpoll: worker {os.getpid()}: {exc}\n")
        return 1
    except BaseException:  # noqa: BLE001 - a worker reports and exits, never returns
        import traceback

        traceback.print_exc()
        return 1
    return 0


def _spawn(make_app: Callable[[], Any], sock: socket.socket) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = _worker(make_app, sock)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return pid


def run_workers(workers: int, make_app: Callable[[], Any], sock: socket.socket) -> None:
    """Fork `workers` processes serving the one listening socket (the kernel hands each new
    connection to one of them); forward SIGINT/SIGTERM; start a worker that died again."""
    children: set[int] = set()
    stopping = False

    def stop(sig: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for _ in range(workers):
            children.add(_spawn(make_app, sock))
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            children.discard(pid)
            if not stopping:
                code = os.waitstatus_to_exitcode(status)
                sys.stderr.write(f"deckpoll: worker {pid} ended ({code}); starting another\n")
                sys.stderr.flush()
                time.sleep(RESPAWN_SECONDS)
                if not stopping:
                    children.add(_spawn(make_app, sock))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve(
    deck: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    store_url: str | None = None,
    open_browser: bool = False,
    *,
    allowed_origins: tuple[str, ...] | list[str] | None = None,
    workers: int = 1,
    fresh: bool = False,
    save: bool = True,
    voters_per_minute: int | None = None,
    key_file: Path | None = None,
    new_key: bool = False,
    store_wait: float = STORE_WAIT,
) -> None:
    """Serve the deck and its poll backend on one port until interrupted.

    `allowed_origins`: exact origins of decks hosted elsewhere whose `polls.url` names this
    server (CORS); default from $DECKPOLL_ALLOWED_ORIGINS (comma-separated), else none.
    `voters_per_minute`: new voter tokens per client address and minute (voters.py).
    `workers`: processes serving the port; above 1 the store must be shared live between
    them (a `redis://` store), each worker opening its own connection to it.
    `fresh`: archive the answers already stored for this deck in DECK/results/, then start
    empty (without it, such answers are kept and a warning says so).
    `key_file`, `new_key`: the talk's presenter key (keys.py): read from (or, when made
    here, written to) this file, else $DECKPOLL_PRESENTER_KEY, else DECK/.deckpoll/;
    `new_key` replaces the talk's key on every server. `store_wait`: seconds to wait for an
    unreachable store at start.
    `save`: when the server stops, archive the deck's answers in DECK/results/ (unless the
    newest archive holds the same answers already).
    """
    from deckpoll.build import compile_deck
    from deckpoll.server.app import create_app
    from deckpoll.server.guards import allowed_hosts
    from deckpoll.server.keys import PresenterKey
    from deckpoll.server.limits import Connections, capacity, raise_open_files
    from deckpoll.server.voters import DEFAULT_PER_MINUTE
    from deckpoll.stores.base import StoreError

    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise DeckpollError(f"--workers must be a whole number of at least 1, not {workers!r}")
    if workers > 1 and not hasattr(os, "fork"):
        raise DeckpollError("--workers above 1 needs a system with fork() (Linux, macOS)")
    deck = Path(deck)
    first = compile_deck(deck)
    url = store_url or default_store_url(deck)
    namespace = str(first.manifest.get("id") or "")
    root = deck if deck.is_dir() else deck.parent
    keys = KeySource.find(deck, key_file, dict(os.environ))
    talk = settle(
        url,
        namespace,
        first.manifest,
        root,
        fresh=fresh,
        new_key=new_key,
        keys=keys,
        wait=store_wait,
    )
    if talk.key is not None:
        keys.keep(talk.key)
    if workers > 1 and not talk.shared:
        scheme = url.partition("://")[0]
        raise DeckpollError(
            f"--workers {workers} needs a store the workers share live; {scheme}:// is one "
            "process only. Use --store redis://host:6379/0 (or --workers 1)"
        )
    sock = bind_socket(host, port)
    port = sock.getsockname()[1]
    base = f"http://{_url_host(public_host(host))}:{port}"
    # Behind a proxy or load balancer the room joins at a public address: deck.yaml's
    # `polls.join_url` names it; otherwise this machine's address and port.
    public = first.deck.config.polls.join_url if first.deck is not None else None
    join_url = public or f"{base}/{talk.code}"
    # poll_url "": this server is the backend, whatever polls.url names (same origin).
    compiled = compile_deck(deck, join_url=join_url, poll_url="")
    if allowed_origins is None:
        env = os.environ.get("DECKPOLL_ALLOWED_ORIGINS", "")
        allowed_origins = [o.strip() for o in env.split(",") if o.strip()]
    origins = list(allowed_origins)
    # DNS rebinding: only the names this server is reached by (guards.HostCheck).
    hosts = allowed_hosts(host, public_host(host), urls=[join_url])

    def make_app(store_now: Any = None) -> Any:
        """The app on a store opened here (in the process that will serve it)."""
        store = store_now or open_waiting(url, namespace, store_wait)
        return create_app(
            compiled,
            store,
            presenter_key=PresenterKey(talk.key_digest),
            join_url=join_url,
            join_code=talk.code,
            allowed_origins=origins,
            allowed_hosts=hosts,
            voters_per_minute=voters_per_minute or DEFAULT_PER_MINUTE,
            follow_talk=True,
        )

    try:
        # Checked here, before any worker starts (a worker cannot report it to the user).
        app = make_app(open_store_now(url, namespace, workers, store_wait))
    except (ValueError, StoreError, OSError) as exc:
        sock.close()
        raise DeckpollError(str(exc)) from None
    local = "127.0.0.1" if host in ("0.0.0.0", "", "::") else _url_host(host)
    presenter_url = f"http://{local}:{port}/?key={talk.key}" if talk.key else None
    title = compiled.manifest.get("title") or deck.name
    out = sys.stdout
    out.write(f"deckpoll: presenting {title!r} (answers in {url})\n")
    out.write(f"  Presenter: {presenter_url or PRESENTER_ELSEWHERE}\n")
    out.write(f"  Audience:  {join_url}\n")
    out.write(f"  Join code: {talk.code}\n")
    if workers > 1:
        out.write(f"  Workers:   {workers} processes sharing the port\n")
    loop, http = engine()
    out.write(f"  Server:    uvicorn, {loop} event loop, {http} HTTP parser\n")
    if host in ("127.0.0.1", "localhost", "::1"):
        out.write("  (only this computer can connect; use --host 0.0.0.0 for phones)\n")
    limit = raise_open_files()
    phones = capacity(limit)
    out.write(
        f"  Capacity:  about {phones * workers} phones at once (open-file limit {limit}"
        + (f" per worker, {workers} workers" if workers > 1 else "")
        + ")\n"
    )
    retention = (first.manifest.get("polls_config") or {}).get("retention")
    out.write(f"  Retention: {retention_line(retention, deck)}\n")
    _say_talk(out, deck, talk, keys, public, fresh=fresh, new_key=new_key)
    if open_browser and presenter_url:
        threading.Timer(0.8, webbrowser.open, [presenter_url]).start()

    try:
        if workers == 1:
            run_server(app, sock, Connections(phones))
        else:
            run_workers(workers, make_app, sock)
    finally:
        sock.close()
    if save:
        save_on_stop(url, namespace, first.manifest, root)


PRESENTER_ELSEWHERE = (
    "the link printed by the server that made this talk's key works here too; "
    f"to print it here, give the key with --key-file or {ENV}"
)


def open_store_now(url: str, namespace: str, workers: int, wait: float) -> Any:
    """The store of a single-process server (None: each worker opens its own later)."""
    from deckpoll.stores.base import open_store

    return open_store("memory://") if workers > 1 else open_waiting(url, namespace, wait)


def _say_talk(
    out: Any,
    deck: Path,
    talk: Talk,
    keys: KeySource,
    public: str | None,
    *,
    fresh: bool,
    new_key: bool,
) -> None:
    """The lines after the links: the shared key, a fresh start, answers left over."""
    from deckpoll.archive import warning

    if talk.key and public:
        parts = urlsplit(public)
        out.write(f"  Public:    {parts.scheme}://{parts.netloc}/?key={talk.key}\n")
    if talk.key and keys.origin != ENV:
        out.write(f"  Key file:  {keys.file} (the same key on every server of this talk)\n")
    if new_key:
        out.write("  New key:   the talk's earlier presenter links no longer work\n")
    if talk.archived is not None:
        out.write(f"  Fresh start: the earlier answers are archived in {talk.archived}\n")
    elif fresh:
        out.write("  Fresh start: there were no earlier answers\n")
    out.flush()
    if talk.found.total:
        sys.stderr.write(warning(talk.found, deck))
        sys.stderr.flush()


def retention_line(seconds: int | None, deck: Path) -> str:
    """What `serve` says about how long answers are kept (polls.retention)."""
    if not seconds:
        return "not set: answers are kept until deleted (set polls.retention, e.g. 30d)"
    from deckpoll.retention import describe

    return f"answers are kept {describe(seconds, 'en')}; then: deckpoll purge {deck}"


def save_on_stop(url: str, namespace: str, manifest: dict[str, Any], root: Path) -> None:
    """Archive the answers after the server stopped; a failure is reported, not raised (the
    answers stay in the store: `deckpoll results --save` can try again)."""
    import asyncio

    from deckpoll.archive import save_from
    from deckpoll.stores.base import StoreError, open_store

    async def go() -> Path | None:
        store = open_store(url, namespace=namespace)
        try:
            return await save_from(store, manifest, root)
        finally:
            await store.close()

    try:
        saved = asyncio.run(go())
    except (DeckpollError, ValueError, StoreError, OSError) as exc:
        sys.stderr.write(f"deckpoll: warning: the answers were not archived: {exc}\n")
        return
    if saved is not None:
        sys.stdout.write(f"deckpoll: answers archived in {saved}\n")
    sys.stdout.flush()
