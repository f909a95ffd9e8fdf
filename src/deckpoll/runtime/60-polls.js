/* Polls: draw live results on poll slides from what the link (58-link.js) hears. What a
   kind's results look like is drawn by its file in runtime/kinds/ (looked up by kind). The
   projected slide is content only: every control (open, close, reveal, reset, hide) lives in
   the speaker console. Once answers arrive the results take the stage: the question becomes a
   header and the join panel a strip; the `join` key (j) brings the big panel back. Only decks
   with polls carry this file. */
(() => {
  'use strict';
  const dp = window.deckpoll, kinds = window.deckpollKinds;
  if (!dp || !kinds) return;

  /* The poll strings are the deck section's poll_* keys (strings/<lang>.yaml). */
  const t = (key, vars) => dp.t('poll_' + key, vars);

  dp.use(class Polls {
    constructor() {
      this.polls = {};       // poll id -> {el, results, kind, memory}
      this.joinBig = false;  // the `join` key: the big join panel back for latecomers
      dp.polls = this;
      if (dp.deck.querySelector('[data-dp-poll-id]')) dp.join = () => this.toggleJoin();
      /* The sharing round (`]` / `[`): the tables of the current slide's poll one by one. */
      if (dp.deck.querySelector('[data-dp-poll-group]')) {
        dp.share_next = () => dp.link?.share('next');
        dp.share_prev = () => dp.link?.share('prev');
      }
    }

    /** What the link last heard (null until its first snapshot). */
    get live() { return dp.link ? dp.link.live : null; }

    bind() {
      if (dp.view === 'print') return;
      dp.deck.querySelectorAll('.dp-slide [data-dp-poll-id]').forEach((el) => {
        const results = el.querySelector('[data-dp-results]');
        if (results) {
          this.polls[el.dataset.dpPollId] = { el, results, kind: el.dataset.dpPollKind, memory: {} };
        }
      });
      this.off = dp.on('pollevent', (e) => {
        if (e.name === 'snapshot') Object.keys(this.polls).forEach((id) => this.draw(id));
        else if (e.name === 'poll' || e.name === 'results') this.draw(e.id);
      });
    }

    update(s) {
      /* A slide that was hidden had no size to lay a word cloud out in: draw it again now. */
      const slide = dp.slide(s.index);
      if (slide && (!s.previous || s.previous.index !== s.index) && this.joinBig) this.toggleJoin(false);
      if (this.live && slide && (!s.previous || s.previous.index !== s.index)) {
        Object.keys(this.polls).forEach((id) => { if (slide.contains(this.polls[id].el)) this.draw(id); });
      }
    }

    /** "Bord 3 – 7 svar" while the sharing round shows one table, "Alla bord – 40 svar" after. */
    shareLine(res) {
      if (!res || !res.share) return null;
      const g = (dp.config.polls?.groups || []).find((x) => x.id === res.share.group);
      return g ? dp.t('share_table', { table: g.label, n: res.answers }) : dp.t('share_all', { n: res.answers });
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
      /* A kind may have something to show without answers of its own (a leaderboard). */
      const own = kinds.get(p.kind), extra = !!(res && own && own.slide && own.slide.has && own.slide.has(res));
      const box = p.results, shown = !!(res && res.visible && ((res.answers || res.voters) > 0 || extra));
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
      const sharing = this.shareLine(res);
      p.el.classList.toggle('dp-poll-sharing', !!sharing);
      p.count = dp.el('span', 'dp-poll-count', null, sharing || t('participants', { n: voters }) + ' · ' + t('answers', { n: answers }));
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
        el: dp.el, t, num: kinds.number, bars: (rows) => this.bars(rows), box: area, memory: p.memory,
        /* The drawing area in design px (clientWidth ignores the slide's scale); a hidden
           slide has none: the last size seen (else the staged layout's), drawn again when shown. */
        width: p.memory.width = area.clientWidth || p.memory.width || 1136,
        height: p.memory.height = area.clientHeight || p.memory.height || 440,
        reducedMotion: matchMedia('(prefers-reduced-motion: reduce)').matches,
        /* The poll's state: status, revealed, `elapsed` seconds as of `seenAt` (a countdown). */
        state: this.live.polls[id] || {}
      };
      const drawn = kind.slide.draw(res, ui);
      if (drawn) area.append(drawn);
      if (drawn && kind.slide.settle) kind.slide.settle(drawn, res, ui);
    }

    /** Bars for single, multiple and scale; sized by how many rows share the height. A row
        is [label, count, percent] or [label, count, percent, the value's own text]. */
    bars(rows) {
      const list = dp.el('ol', 'dp-poll-bars');
      list.style.setProperty('--dp-bar-rows', Math.max(rows.length, 1));
      list.style.setProperty('--dp-bar-lines', rows.length > 7 ? 1 : 2);  // long labels: 2 lines, or 1 with many rows
      rows.forEach(([label, count, percent, said]) => {
        const li = dp.el('li', 'dp-poll-bar-row');
        const name = dp.el('span', 'dp-poll-bar-label', null, label);
        name.title = label;
        li.append(name);
        const track = dp.el('span', 'dp-poll-bar-track');
        const fill = dp.el('span', 'dp-poll-bar-fill');
        fill.style.width = Math.max(0, Math.min(100, percent)) + '%';
        track.append(fill);
        const value = said != null ? said : count + ' · ' + Math.round(percent) + ' %';
        li.append(track, dp.el('span', 'dp-poll-bar-value', null, value));
        list.append(li);
      });
      return list;
    }

    destroy() {
      if (this.off) this.off();
      Object.values(this.polls).forEach((p) => clearInterval(p.memory.cycle));
    }
  });
})();
