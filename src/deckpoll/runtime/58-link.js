/* The link to the deck's server (`deckpoll serve`, or polls.url): the presenter's key, the
   speaker notes only that key may fetch, the presenter's slide reported for the phones, and
   the event stream every poll drawing and the speaker console read (`dp.link.live`, the
   `pollevent` event). In every deck, with polls or without: a deck without polls gets this
   file and none of the poll drawing (60-polls.js, runtime/kinds/) or the console. */
(() => {
  'use strict';
  const dp = window.deckpoll;
  if (!dp) return;
  const PROTOCOL = 1;  // docs/protocol.md: the version this deck speaks (GET /api/v1/deck)

  /** Read one Server-Sent Events stream through fetch (so a presenter key can be sent). */
  async function readEvents(url, headers, signal, onMessage) {
    const res = await fetch(url, { headers, signal, cache: 'no-store' });
    if (!res.ok || !res.body) {
      const err = new Error('HTTP ' + res.status);
      err.status = res.status;
      throw err;
    }
    const reader = res.body.getReader(), dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true }).replace(/\r\n?/g, '\n');  // a CR split across reads is rare and harmless
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let event = 'message', data = '';
        block.split('\n').forEach((line) => {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(5).trim();
        });
        onMessage(event, data);
      }
    }
  }

  dp.use(class Link {
    constructor() {
      this.live = null;      // latest snapshot
      this.key = null;
      this.base = null;
      this.retry = 0;
      this.posting = false;
      this.pendingState = null;
      dp.link = this;        // the poll drawing and the speaker console read `live` and send commands
    }

    bind() {
      if (dp.view === 'print') return;
      this.key = this.presenterKey();
      this.base = this.backend();
      const polls = !!dp.deck.querySelector('.dp-slide [data-dp-poll-id] [data-dp-results]');
      if (!this.base || !polls && !this.key) return;
      this.stream = new AbortController();
      this.onVisible = () => {
        if (document.visibilityState === 'visible' && (!this.live || this.stale())) this.reconnect(0);
      };
      document.addEventListener('visibilitychange', this.onVisible);
      this.connect();
    }

    /** The key from ?key=..., kept in sessionStorage and removed from the visible URL. */
    presenterKey() {
      const name = 'deckpoll-key:' + (dp.config.deck_id || location.pathname);
      let key = dp.params.get('key');
      if (key) {
        try { sessionStorage.setItem(name, key); } catch (e) { /* storage disabled: key lives in memory */ }
        const url = new URL(location.href);
        url.searchParams.delete('key');
        history.replaceState(history.state, '', url.pathname + url.search + url.hash);
      } else {
        try { key = sessionStorage.getItem(name); } catch (e) { key = null; }
      }
      this.keyName = name;
      return key || null;
    }

    /** The backend's base URL: polls.url, else the page's own server; none from file://. */
    backend() {
      const url = (dp.config.polls || {}).url;
      try {
        if (url) {
          const u = new URL(url, location.href);
          if (u.protocol === 'http:' || u.protocol === 'https:') return u.href.replace(/\/?$/, '/');
          return null;
        }
      } catch (e) { return null; }
      if (location.protocol !== 'http:' && location.protocol !== 'https:') return null;
      return location.origin + location.pathname.replace(/[^/]*$/, '');
    }

    headers(json) {
      const h = {};
      if (this.key) h.Authorization = 'Bearer ' + this.key;
      if (json) h['Content-Type'] = 'application/json';
      return h;
    }

    stale() { return !!this.lastSeen && Date.now() - this.lastSeen > 40000; }

    /** Ask the backend for the deck, check it is this deck's backend, then follow its
        events. Every failure is told to the presenter (health) and retried with backoff. */
    async connect() {
      clearTimeout(this.timer);
      const signal = this.stream.signal, url = this.base + 'api/v1/deck';
      let res, deck;
      try {
        res = await fetch(url, { headers: this.headers(), signal, cache: 'no-store' });
        deck = res.ok ? await res.json().catch(() => null) : null;
      } catch (e) {
        /* A browser hides a CORS refusal as a network error: name this page's origin too. */
        const origin = location.origin === 'null' || location.protocol === 'file:' ? 'null' : location.origin;
        const cross = new URL(url).origin !== location.origin;
        if (!signal.aborted) this.fail(cross ? 'unreachable_cors' : 'unreachable', { url, origin });
        return;
      }
      if (res.status === 401 || res.status === 403) return this.dropKey();
      if (!res.ok) return this.fail(res.status === 404 ? 'not_found' : 'status', { url, status: res.status });
      /* A static server's HTML (or any other JSON): no backend of this protocol here. */
      if (!deck || typeof deck !== 'object' || Array.isArray(deck)) return this.fail('not_json', { url });
      if (deck.protocol != null && deck.protocol !== PROTOCOL) {
        return this.fail('protocol', { url, found: String(deck.protocol), expected: PROTOCOL });
      }
      const mine = dp.config.deck_id;
      if (mine && deck.id !== mine) return this.fail('other_deck', { url, found: String(deck.id), expected: mine });
      const other = this.otherBuild(deck);
      this.warning = other ? { key: 'other_build', vars: { url, poll: other } } : null;
      if (deck.presenter && !this.notesLoaded) this.loadNotes(signal);
      this.lastSeen = Date.now();
      this.watchdog = setInterval(() => { if (this.stale()) this.reconnect(0); }, 10000);
      const events = this.base + 'api/v1/events?client=deck';
      try {
        await readEvents(events, this.headers(), signal, (ev, data) => {
          this.lastSeen = Date.now();
          if (ev === 'message' || !data) return;
          this.event(ev, JSON.parse(data));
        });
        this.fail('lost', { url: events });
      } catch (e) {
        if (signal.aborted) return;
        if (e.status === 401 || e.status === 403) return this.dropKey();
        this.fail(e.status ? 'status' : 'lost', { url: events, status: e.status });
      }
    }

    /** The first poll of this page the backend lacks (or holds as another kind): the
        backend loaded another build of this deck. Null when every poll matches. */
    otherBuild(deck) {
      const there = {};
      (Array.isArray(deck.polls) ? deck.polls : []).forEach((p) => { if (p && p.id != null) there[p.id] = p.kind; });
      const mine = [...dp.deck.querySelectorAll('.dp-slide [data-dp-poll-id]')];
      const other = mine.find((el) => there[el.dataset.dpPollId] !== el.dataset.dpPollKind);
      return other ? other.dataset.dpPollId : null;
    }

    /** Tell the presenter (speaker view, browser console) what went wrong, naming the URL,
        and try again later: a deck never stops asking while it is open. */
    fail(key, vars) {
      const delay = this.reconnect();
      this.problem = { key, vars };
      const text = dp.t('backend_' + key, vars);
      if (text !== this.told) console.warn('deckpoll: ' + text + ' ' + dp.t('backend_retry', { n: Math.round(delay / 1000) }));
      this.told = text;
      this.tellHealth(delay);
    }

    /** `dp:backend` {problem, warning, delay}: what the speaker view shows (57-backend.js). */
    tellHealth(delay) {
      this.health = { problem: this.problem || null, warning: this.warning || null, delay: delay || 0, base: this.base };
      dp.emit('backend', this.health);
    }

    /** The speaker notes: the page the server gives everyone has none; the presenter's
        key fetches them and they go back into their slides (the build's own HTML). */
    async loadNotes(signal) {
      try {
        const res = await fetch(this.base + 'api/v1/notes', { headers: this.headers(), signal, cache: 'no-store' });
        if (!res.ok) return;
        const found = (await res.json()).notes || {};
        Object.keys(found).forEach((index) => {
          const slide = dp.slide(+index);
          if (!slide || slide.querySelector('.dp-notes')) return;
          const aside = dp.el('aside', 'dp-notes', { 'aria-label': dp.t('notes') });
          aside.innerHTML = found[index];
          slide.append(aside);
        });
        this.notesLoaded = true;
        dp.emit('notes', dp.state());
      } catch (e) { /* the next connection asks again */ }
    }

    /** Try again after `delay` ms (default: 1 s doubling to 30 s); returns the delay. */
    reconnect(delay) {
      clearInterval(this.watchdog);
      if (this.stream) this.stream.abort();
      this.stream = new AbortController();
      this.live = null;
      this.showOffline(true);
      if (delay == null) delay = Math.min(30000, 1000 * Math.pow(2, this.retry++));
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.connect(), delay);
      return delay;
    }

    dropKey() {
      try { sessionStorage.removeItem(this.keyName); } catch (e) { /* nothing stored */ }
      this.key = null;
      console.warn('deckpoll: ' + dp.t('poll_bad_key'));
      this.reconnect(0);
    }

    showOffline(on) {
      dp.deck.classList.toggle('dp-polls-live', !on);
      dp.deck.classList.toggle('dp-presenter', !on && !!this.key);
    }

    event(name, data) {
      /* The server's clock, for the slide timer: every screen counts down to the same end. */
      if (data && typeof data.now === 'number') this.skew = data.now - Date.now() / 1000;
      if (name === 'snapshot') {
        this.live = data;
        /* when each poll state was seen (a quiz's countdown counts from its `elapsed`) */
        Object.values(data.polls || {}).forEach((p) => { p.seenAt = Date.now(); });
        this.retry = 0;
        if (this.problem) console.info('deckpoll: ' + dp.t('backend_ok', { url: this.base }));
        this.problem = this.told = null;
        this.tellHealth(0);
        this.showOffline(false);
        if (this.key) this.reportState(dp.state());
        dp.emit('pollevent', { name });
        return;
      }
      if (!this.live) return;
      if (name === 'state') this.live.state = data;
      else if (name === 'poll') { data.seenAt = Date.now(); this.live.polls[data.id] = data; }
      else if (name === 'results') this.live.results[data.id] = data;
      else if (name === 'presence') this.live.audience = data.audience;
      else if (name === 'timer') this.live.timer = data.timer;
      dp.emit('pollevent', { name, id: data && data.id, data });
    }

    update(s) {
      if (this.key && this.live && !s.remote) this.reportState(s);
    }

    /** Tell the server where the presenter is; one request in flight, the latest wins. */
    async reportState(s) {
      this.pendingState = { slide: s.index, fragment: s.fragment };
      if (this.posting) return;
      this.posting = true;
      while (this.pendingState) {
        const body = JSON.stringify(this.pendingState);
        this.pendingState = null;
        try {
          const res = await fetch(this.base + 'api/v1/state', { method: 'POST', headers: this.headers(true), body });
          if (res.status === 401 || res.status === 403) { this.dropKey(); break; }
        } catch (e) { break; /* the next snapshot reports again */ }
      }
      this.posting = false;
    }

    /** A presenter call on one poll (`open`, `answers/17/hide`, ...): the HTTP status, 0 offline.
        Used by the speaker console; the projected slide has no controls. */
    async command(id, path) {
      try {
        const res = await fetch(this.base + 'api/v1/polls/' + encodeURIComponent(id) + '/' + path,
          { method: 'POST', headers: this.headers() });
        return res.status;
      } catch (e) { return 0; /* the stream shows the outcome, or the offline state */ }
    }

    /** A step of the sharing round (`next`, `prev`, `all`, `off`) on a poll with tables, by
        default the current slide's: the HTTP status, 0 offline or not the presenter. */
    share(step, id) {
      const el = id ? null : dp.slide(dp.state().index)?.querySelector('[data-dp-poll-group]');
      id = id || el?.dataset.dpPollId;
      if (!id || !this.key || !this.live) return Promise.resolve(0);
      return fetch(this.base + 'api/v1/polls/' + encodeURIComponent(id) + '/share', {
        method: 'POST', headers: this.headers(true), body: JSON.stringify({ step })
      }).then((r) => r.status, () => 0);
    }

    destroy() {
      clearTimeout(this.timer);
      clearInterval(this.watchdog);
      if (this.stream) this.stream.abort();
      if (this.onVisible) document.removeEventListener('visibilitychange', this.onVisible);
    }
  });
})();
