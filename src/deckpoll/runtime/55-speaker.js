/* Speaker view: current and next step, notes, timer, clock; opened in a second window or in this tab. */
(() => {
  'use strict';
  const dp = window.deckpoll;
  if (!dp) return;
  const d = document;
  const pad = (n) => (n < 10 ? '0' : '') + n;

  dp.use(class Speaker {
    constructor() { dp.speaker = () => this.open(); }

    url() {
      const u = new URL(location.href), s = dp.state();
      u.searchParams.delete('print');
      u.searchParams.set('view', 'speaker');
      u.hash = '/' + s.index + (s.fragment ? '/' + s.fragment : '');
      return u.href;
    }

    open() {
      if (dp.view !== 'audience') return;
      let w = null;
      try { w = window.open(this.url(), 'dp-speaker', 'popup,width=1280,height=800'); } catch (e) { w = null; }
      if (w) { dp.emit('speaker', { window: true }); return; }
      /* Blocked: say so, and offer the same view in this tab. */
      const dlg = dp.el('dialog', 'dp-dialog dp-ui', { role: 'alertdialog', 'aria-labelledby': 'dp-blocked' });
      const a = dp.el('a', 'dp-button', { href: this.url() }, dp.t('open_here'));
      const close = dp.el('button', 'dp-button', { type: 'button' }, dp.t('close'));
      close.addEventListener('click', () => dlg.close());
      dlg.addEventListener('close', () => dlg.remove());
      dlg.append(dp.el('p', '', { id: 'dp-blocked' }, dp.t('blocked')), a, close);
      d.body.append(dlg);
      dlg.showModal();
      a.focus();
      dp.emit('speaker', { window: false });
    }

    bind() {
      if (dp.view !== 'speaker') return;
      const el = dp.el, deck = dp.deck;
      d.title = dp.t('speaker') + ' – ' + d.title;
      const sv = this.root = el('div', 'dp-sv dp-ui');
      const bar = el('header', 'dp-sv-bar');
      this.count = el('span', 'dp-sv-count');
      this.time = el('span', 'dp-sv-time', { role: 'timer', 'aria-label': dp.t('elapsed') });
      this.pauseBtn = el('button', 'dp-button', { type: 'button' });
      const reset = el('button', 'dp-button', { type: 'button' }, dp.t('reset'));
      this.clock = el('span', 'dp-sv-clock', { 'aria-label': dp.t('clock') });
      bar.append(this.count, this.time, this.pauseBtn, reset, this.clock);
      const cur = el('div', 'dp-sv-cur');
      const next = el('aside', 'dp-sv-next', { 'aria-labelledby': 'dp-sv-nh' });
      const box = el('div', 'dp-sv-box');
      this.preview = el('div', 'dp-deck dp-preview', { 'aria-hidden': 'true', inert: '' });
      box.append(this.preview);
      next.append(el('h2', '', { id: 'dp-sv-nh' }, dp.t('next')), box);
      const notes = el('aside', 'dp-sv-notes', { 'aria-labelledby': 'dp-sv-xh' });
      this.notes = el('div', 'dp-sv-text', { tabindex: '0', 'aria-labelledby': 'dp-sv-xh', role: 'region' });
      notes.append(el('h2', '', { id: 'dp-sv-xh' }, dp.t('notes')), this.notes);
      deck.parentNode.insertBefore(sv, deck);
      cur.append(deck);
      sv.append(bar, cur, next, notes);
      this.ro = new ResizeObserver((e) => dp.fit(this.preview, e[0].contentRect.width, e[0].contentRect.height));
      this.ro.observe(box);
      this.pauseBtn.addEventListener('click', () => this.pause());
      reset.addEventListener('click', () => this.reset());
      this.skey = 'dp-timer:' + (dp.config.deck_id || '');
      let t = null;
      try { t = JSON.parse(sessionStorage.getItem(this.skey)); } catch (e) { t = null; }
      this.t = t && typeof t.acc === 'number' ? t : { acc: 0, t0: Date.now(), run: true };
      this.tick();
      this.iv = setInterval(() => this.tick(), 1000);
    }

    pause() {
      const t = this.t, now = Date.now();
      if (t.run) t.acc += now - t.t0; else t.t0 = now;
      t.run = !t.run;
      this.tick();
    }

    reset() {
      this.t = { acc: 0, t0: Date.now(), run: this.t.run };
      this.tick();
    }

    tick() {
      const t = this.t, now = new Date(), s = Math.floor((t.acc + (t.run ? now - t.t0 : 0)) / 1000);
      this.time.textContent = (s >= 3600 ? Math.floor(s / 3600) + ':' : '') + pad(Math.floor(s / 60) % 60) + ':' + pad(s % 60);
      this.time.classList.toggle('dp-paused', !t.run);
      this.pauseBtn.textContent = dp.t(t.run ? 'pause' : 'resume');
      this.clock.textContent = pad(now.getHours()) + ':' + pad(now.getMinutes());
      try { sessionStorage.setItem(this.skey, JSON.stringify(t)); } catch (e) { /* private mode */ }
    }

    update(s) {
      if (!this.root) return;
      this.count.textContent = s.index + ' / ' + s.count + (s.fragments ? ' · ' + s.fragment + '/' + s.fragments : '');
      let i = s.index, f = s.fragment + 1;
      if (f > s.fragments) { i += 1; f = 0; }
      const p = this.preview;
      p.textContent = '';
      if (i > s.count) {
        p.append(dp.el('p', 'dp-sv-end', null, dp.t('end')));
      } else {
        const c = dp.slide(i).cloneNode(true);
        c.removeAttribute('id');
        c.querySelectorAll('[id]').forEach((x) => x.removeAttribute('id'));
        c.classList.add('dp-current');
        dp.showFragments(c, f);
        p.append(c);
      }
      if (s.previous && s.previous.index === s.index) return;
      const n = dp.slide(s.index).querySelector('.dp-notes');
      this.notes.textContent = '';
      if (n) n.childNodes.forEach((x) => this.notes.append(x.cloneNode(true)));
      else this.notes.append(dp.el('p', 'dp-sv-none', null, dp.t('no_notes')));
      this.notes.scrollTop = 0;
    }

    destroy() {
      clearInterval(this.iv);
      if (this.ro) this.ro.disconnect();
    }
  });
})();
