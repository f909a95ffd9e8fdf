/* The link to the deck's server (`deckpoll serve`, or polls.url): the presenter's key, the
   speaker notes only that key may fetch, the presenter's slide reported for the phones, and
   the event stream every poll drawing and the speaker console read (`dp.link.live`, the
   `pollevent` event). In every deck, with polls or without: a deck without polls gets this
   file and none of the poll drawing (60-polls.js, runtime/kinds/) or the console. */
(() => {
  'use strict';
  const dp = window.deckpoll;
  if (!dp) return;

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
      buf += dec.decode(value, { stream: true });
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
        if (!this.final && document.visibilityState === 'visible' && (!this.live || this.stale())) this.reconnect(0);
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

    async connect() {
      clearTimeout(this.timer);
      const signal = this.stream.signal;
      try {
        const res = await fetch(this.base + 'api/v1/deck', { headers: this.headers(), signal, cache: 'no-store' });
        if (res.status === 401 || res.status === 403) return this.dropKey();
        if (!res.ok) return this.offline(res.status === 404);
        const deck = await res.json().catch(() => null);  // a static server's HTML: no backend
        if (!deck || deck.id !== (dp.config.deck_id || deck.id)) return this.offline(true);
        if (deck.presenter && !this.notesLoaded) this.loadNotes(signal);
        this.lastSeen = Date.now();
        this.watchdog = setInterval(() => { if (this.stale()) this.reconnect(0); }, 10000);
        await readEvents(this.base + 'api/v1/events?client=deck', this.headers(), signal, (ev, data) => {
          this.lastSeen = Date.now();
          if (ev === 'message' || !data) return;
          this.event(ev, JSON.parse(data));
        });
        this.reconnect();
      } catch (e) {
        if (signal.aborted) return;
        if (e.status === 401 || e.status === 403) return this.dropKey();
        this.reconnect();
      }
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

    reconnect(delay) {
      clearInterval(this.watchdog);
      if (this.stream) this.stream.abort();
      this.stream = new AbortController();
      this.live = null;
      this.showOffline(true);
      if (delay == null) delay = Math.min(30000, 1000 * Math.pow(2, this.retry++));
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.connect(), delay);
    }

    /** No backend here (static server, other deck): say so once and stop asking. */
    offline(final) {
      this.final = !!final;
      this.showOffline(true);
      if (!final) this.reconnect();
    }

    dropKey() {
      try { sessionStorage.removeItem(this.keyName); } catch (e) { /* nothing stored */ }
      this.key = null;
      console.warn('deckpoll: ' + t('bad_key'));
      this.reconnect(0);
    }

    showOffline(on) {
      dp.deck.classList.toggle('dp-polls-live', !on);
      dp.deck.classList.toggle('dp-presenter', !on && !!this.key);
    }

    event(name, data) {
      if (name === 'snapshot') {
        this.live = data;
        this.retry = 0;
        this.showOffline(false);
        if (this.key) this.reportState(dp.state());
        dp.emit('pollevent', { name });
        return;
      }
      if (!this.live) return;
      if (name === 'state') this.live.state = data;
      else if (name === 'poll') this.live.polls[data.id] = data;
      else if (name === 'results') this.live.results[data.id] = data;
      else if (name === 'presence') this.live.audience = data.audience;
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

    destroy() {
      clearTimeout(this.timer);
      clearInterval(this.watchdog);
      if (this.stream) this.stream.abort();
      if (this.onVisible) document.removeEventListener('visibilitychange', this.onVisible);
    }
  });
})();
