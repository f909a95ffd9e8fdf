/* Polls: connect to the poll backend, report the presenter's slide, draw live results. What a
   kind's results look like is drawn by its file in runtime/kinds/ (looked up by kind). The
   projected slide is content only: every control (open, close, reveal, reset, hide) lives in
   the speaker console. Once answers arrive the results take the stage: the question becomes a
   header and the join panel a strip; the `join` key (j) brings the big panel back. */
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
      this.polls = {};       // poll id -> {el, results, kind, memory}
      this.live = null;      // latest snapshot
      this.key = null;
      this.base = null;
      this.retry = 0;
      this.posting = false;
      this.pendingState = null;
      this.joinBig = false;  // the `join` key: the big join panel back for latecomers
      dp.polls = this;       // the speaker console (56-console.js) reads `live` and sends commands
      if (dp.deck.querySelector('[data-dp-poll-id]')) dp.join = () => this.toggleJoin();
    }

    bind() {
      if (dp.view === 'print') return;
      dp.deck.querySelectorAll('.dp-slide [data-dp-poll-id]').forEach((el) => {
        const results = el.querySelector('[data-dp-results]');
        if (results) {
          this.polls[el.dataset.dpPollId] = { el, results, kind: el.dataset.dpPollKind, memory: {} };
        }
      });
      this.key = this.presenterKey();
      this.base = this.backend();
      if (!this.base || !Object.keys(this.polls).length && !this.key) return;
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
        Object.keys(this.polls).forEach((id) => this.draw(id));
        dp.emit('pollevent', { name });
        return;
      }
      if (!this.live) return;
      if (name === 'state') this.live.state = data;
      else if (name === 'poll') { this.live.polls[data.id] = data; this.draw(data.id); }
      else if (name === 'results') { this.live.results[data.id] = data; this.draw(data.id); }
      else if (name === 'presence') this.live.audience = data.audience;
      dp.emit('pollevent', { name, id: data && data.id, data });
    }

    update(s) {
      if (this.key && this.live && !s.remote) this.reportState(s);
      /* A slide that was hidden had no size to lay a word cloud out in: draw it again now. */
      const slide = dp.slide(s.index);
      if (slide && (!s.previous || s.previous.index !== s.index) && this.joinBig) this.toggleJoin(false);
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

    /** A presenter call on one poll (`open`, `answers/17/hide`, ...): the HTTP status, 0 offline.
        Used by the speaker console; the projected slide has no controls. */
    async command(id, path) {
      try {
        const res = await fetch(this.base + 'api/v1/polls/' + encodeURIComponent(id) + '/' + path,
          { method: 'POST', headers: this.headers() });
        return res.status;
      } catch (e) { return 0; /* the stream shows the outcome, or the offline state */ }
    }

    /** `j`: the big join panel over the results and back (reset on the next slide). */
    toggleJoin(on) {
      this.joinBig = on == null ? !this.joinBig : !!on;
      dp.deck.classList.toggle('dp-join-big', this.joinBig);
      const slide = dp.slide(dp.state().index);
      if (this.live && slide) Object.keys(this.polls).forEach((id) => { if (slide.contains(this.polls[id].el)) this.draw(id); });
    }

    // -- drawing ---------------------------------------------------------------------------

    draw(id) {
      const p = this.polls[id];
      if (!p || !this.live) return;
      const res = this.live.results[id], state = this.live.polls[id] || {};
      const box = p.results, shown = !!(res && res.visible && (res.answers || res.voters) > 0);
      box.textContent = '';
      clearInterval(p.memory.cycle);
      p.el.classList.toggle('dp-poll-showing', shown);
      /* The results take the stage once there are answers to show, or when revealed. */
      const staged = (shown || !!(res && res.visible && state.revealed)) && !this.joinBig;
      p.el.classList.toggle('dp-poll-staged', staged);
      const slide = p.el.closest('.dp-slide');
      if (slide) slide.classList.toggle('dp-poll-staged-slide', staged);
      p.el.dataset.dpPollStatus = state.status || 'closed';
      const head = dp.el('div', 'dp-poll-meta');
      const voters = res ? res.voters : 0, answers = res ? (res.answers != null ? res.answers : voters) : 0;
      p.count = dp.el('span', 'dp-poll-count', null, t('participants', { n: voters }) + ' · ' + t('answers', { n: answers }));
      head.append(p.count);
      if (state.opened && state.status !== 'open') head.append(dp.el('span', 'dp-poll-state', null, t('status_closed')));
      box.append(head);
      if (shown) this.body(id, res);
      else if (res && !res.visible && state.results === 'on_reveal') box.append(dp.el('p', 'dp-poll-later', null, t('later')));
      dp.emit('pollresults', { id, slide: +(slide || {}).dataset?.dpIndex || 0 });
    }

    /** The kind's drawing of the results in the space under the count line, with the generic
        helpers it may use; `settle` (optional) runs once the drawing is in the page and can
        measure itself (the text wall pages by what fits). */
    body(id, res) {
      const p = this.polls[id], kind = kinds.get(p.kind);
      if (!kind || !kind.slide) return;
      const area = dp.el('div', 'dp-poll-body');
      p.results.append(area);
      const ui = {
        el: dp.el, t, bars: (rows) => this.bars(rows), box: area, memory: p.memory,
        /* The drawing area in design px (clientWidth ignores the slide's scale); a hidden
           slide has none: the last size seen (else the staged layout's), drawn again when shown. */
        width: p.memory.width = area.clientWidth || p.memory.width || 1136,
        height: p.memory.height = area.clientHeight || p.memory.height || 440,
        reducedMotion: matchMedia('(prefers-reduced-motion: reduce)').matches
      };
      const drawn = kind.slide.draw(res, ui);
      if (drawn) area.append(drawn);
      if (drawn && kind.slide.settle) kind.slide.settle(drawn, res, ui);
    }

    /** Bars for single, multiple and scale; sized by how many rows share the height. */
    bars(rows) {
      const list = dp.el('ol', 'dp-poll-bars');
      list.style.setProperty('--dp-bar-rows', Math.max(rows.length, 1));
      list.style.setProperty('--dp-bar-lines', rows.length > 7 ? 1 : 2);  // long labels: 2 lines, or 1 with many rows
      rows.forEach(([label, count, percent]) => {
        const li = dp.el('li', 'dp-poll-bar-row');
        const name = dp.el('span', 'dp-poll-bar-label', null, label);
        name.title = label;
        li.append(name);
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
      Object.values(this.polls).forEach((p) => clearInterval(p.memory.cycle));
      if (this.stream) this.stream.abort();
      if (this.onVisible) document.removeEventListener('visibilitychange', this.onVisible);
    }
  });
})();
