/* Polls: connect to the poll backend, report the presenter's slide, draw live results. What a
   kind's results look like is drawn by its file in runtime/kinds/ (looked up by kind). */
(() => {
  'use strict';
  const dp = window.deckpoll, kinds = window.deckpollKinds;
  if (!dp || !kinds) return;

  /* The poll strings are the deck section's poll_* keys (strings/<lang>.yaml). */
  const t = (key, vars) => dp.t('poll_' + key, vars);

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

  dp.use(class Polls {
    constructor() {
      this.polls = {};       // poll id -> {el, results, controls}
      this.live = null;      // latest snapshot
      this.key = null;
      this.base = null;
      this.retry = 0;
      this.posting = false;
      this.pendingState = null;
      dp.polls = this;       // the speaker console (56-console.js) reads `live` and sends commands
    }

    bind() {
      if (dp.view === 'print') return;
      dp.deck.querySelectorAll('.dp-slide [data-dp-poll-id]').forEach((el) => {
        const results = el.querySelector('[data-dp-results]');
        if (results) {
          this.polls[el.dataset.dpPollId] = { el, results, kind: el.dataset.dpPollKind, memory: {}, offline: el.querySelector('[data-dp-offline]') };
        }
      });
      this.key = this.presenterKey();
      this.base = this.backend();
      if (!this.base || !Object.keys(this.polls).length && !this.key) return;
      this.abort = new AbortController();
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
      const signal = this.abort.signal;
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
      if (this.abort) this.abort.abort();
      this.abort = new AbortController();
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
      Object.values(this.polls).forEach((p) => { if (p.offline) p.offline.hidden = !on; });
    }

    event(name, data) {
      if (name === 'snapshot') {
        this.live = data;
        this.retry = 0;
        this.showOffline(false);
        if (this.key) this.reportState(dp.state());
        Object.keys(this.polls).forEach((id) => this.draw(id));
        dp.emit('pollevent', { name });
        return;
      }
      if (!this.live) return;
      if (name === 'state') this.live.state = data;
      else if (name === 'poll') { this.live.polls[data.id] = data; this.draw(data.id); }
      else if (name === 'results') { this.live.results[data.id] = data; this.draw(data.id); }
      else if (name === 'presence') { this.live.audience = data.audience; Object.keys(this.polls).forEach((id) => this.drawStatus(id)); }
      dp.emit('pollevent', { name, id: data && data.id, data });
    }

    update(s) {
      if (this.key && this.live && !s.remote) this.reportState(s);
      /* A slide that was hidden had no size to lay a word cloud out in: draw it again now. */
      const slide = dp.slide(s.index);
      if (this.live && slide && (!s.previous || s.previous.index !== s.index)) {
        Object.keys(this.polls).forEach((id) => { if (slide.contains(this.polls[id].el)) this.draw(id); });
      }
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

    /** A presenter call on one poll (`open`, `answers/17/hide`, ...): the HTTP status, 0 offline. */
    async command(id, path) {
      try {
        const res = await fetch(this.base + 'api/v1/polls/' + encodeURIComponent(id) + '/' + path,
          { method: 'POST', headers: this.headers() });
        return res.status;
      } catch (e) { return 0; /* the stream shows the outcome, or the offline state */ }
    }

    // -- drawing ---------------------------------------------------------------------------

    draw(id) {
      const p = this.polls[id];
      if (!p || !this.live) return;
      const res = this.live.results[id], state = this.live.polls[id] || {};
      const box = p.results;
      box.textContent = '';
      p.el.classList.toggle('dp-poll-showing', !!(res && res.visible && res.voters > 0));
      p.el.dataset.dpPollStatus = state.status || 'closed';
      const head = dp.el('div', 'dp-poll-meta');
      p.count = dp.el('span', 'dp-poll-count', null, t('voters', { n: res ? res.voters : 0 }));
      head.append(p.count);
      p.status = dp.el('span', 'dp-poll-state');
      head.append(p.status);
      box.append(head);
      if (res && res.visible && res.voters > 0) box.append(this.body(id, res));
      else if (res && !res.visible && state.results === 'on_reveal') box.append(dp.el('p', 'dp-poll-later', null, t('later')));
      this.drawStatus(id);
      dp.emit('pollresults', { id, slide: +(p.el.closest('.dp-slide') || {}).dataset?.dpIndex || 0 });
    }

    drawStatus(id) {
      const p = this.polls[id];
      if (!p || !p.status || !this.live) return;
      const state = this.live.polls[id] || {};
      const label = state.status === 'open' ? t('status_open') : state.opened ? t('status_closed') : t('status_new');
      p.status.textContent = this.key ? label + ' · ' + t('joined', { n: this.live.audience || 0 }) : '';
    }

    /** The kind's drawing of the results, with the generic helpers it may use. */
    body(id, res) {
      const p = this.polls[id], kind = kinds.get(p.kind);
      if (!kind || !kind.slide) return dp.el('p', '', null, '');
      return kind.slide.draw(res, {
        el: dp.el, t, bars: (rows) => this.bars(rows), box: p.results, memory: p.memory
      });
    }

    bars(rows) {
      const list = dp.el('ol', 'dp-poll-bars');
      rows.forEach(([label, count, percent]) => {
        const li = dp.el('li', 'dp-poll-bar-row');
        li.append(dp.el('span', 'dp-poll-bar-label', null, label));
        const track = dp.el('span', 'dp-poll-bar-track');
        const fill = dp.el('span', 'dp-poll-bar-fill');
        fill.style.width = Math.max(0, Math.min(100, percent)) + '%';
        track.append(fill);
        li.append(track, dp.el('span', 'dp-poll-bar-value', null, count + ' · ' + Math.round(percent) + ' %'));
        list.append(li);
      });
      return list;
    }

    destroy() {
      clearTimeout(this.timer);
      clearInterval(this.watchdog);
      if (this.abort) this.abort.abort();
      if (this.onVisible) document.removeEventListener('visibilitychange', this.onVisible);
    }
  });
})();
