/* Stage: scale-to-fit with letterboxing, progress bar, slide number, live announcements, blackout, fullscreen. */
(() => {
  'use strict';
  const dp = window.deckpoll;
  if (!dp) return;
  const d = document, html = d.documentElement;

  /** Fit a design-size slide into a w×h box: whole-pixel offsets keep text sharp. */
  dp.fit = (box, w, h) => {
    const s = Math.min(w / dp.width, h / dp.height) || 1;
    box.style.setProperty('--dp-scale', s);
    box.style.setProperty('--dp-x', Math.round((w - dp.width * s) / 2) + 'px');
    box.style.setProperty('--dp-y', Math.round((h - dp.height * s) / 2) + 'px');
  };

  dp.use(class Stage {
    constructor() {
      dp.announce = (text) => { if (this.live) this.live.textContent = text; };
      dp.blackout = (on, o) => {
        on = on == null ? !html.classList.contains('dp-black') : !!on;
        html.classList.toggle('dp-black', on);
        dp.emit('blackout', { on, remote: !!(o && o.remote) });
      };
      dp.fullscreen = () => {
        if (d.fullscreenElement) return d.exitFullscreen();
        if (html.requestFullscreen) html.requestFullscreen().catch(() => {});
      };
    }

    bind() {
      if (dp.view === 'print') return;
      const c = dp.config, deck = dp.deck;
      this.ro = new ResizeObserver((e) => dp.fit(deck, e[0].contentRect.width, e[0].contentRect.height));
      this.ro.observe(deck);
      this.live = dp.el('div', 'dp-sr', { role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
      deck.append(this.live, dp.el('div', 'dp-blackout dp-ui'));
      if (c.progress !== false && deck.dataset.dpProgress !== 'false') {
        this.bar = dp.el('div', 'dp-progress dp-ui', { 'aria-hidden': 'true' });
        this.bar.append(dp.el('span'));
        d.body.append(this.bar);
      }
      if (c.slide_number !== false && deck.dataset.dpSlideNumber !== 'false') {
        this.num = dp.el('div', 'dp-number dp-ui', { 'aria-hidden': 'true' });
        d.body.append(this.num);
      }
    }

    update(s) {
      if (this.bar) this.bar.style.setProperty('--dp-progress', s.count > 1 ? (s.index - 1) / (s.count - 1) : 1);
      if (this.num) this.num.textContent = s.index + ' / ' + s.count;
      if (this.live && s.previous && s.previous.index !== s.index) {
        const title = dp.title(s.index);
        dp.announce(dp.t('slide_label', { n: s.index, total: s.count }) + (title ? ': ' + title : ''));
      }
    }

    destroy() {
      if (this.ro) this.ro.disconnect();
      [this.live, this.bar, this.num].forEach((e) => e && e.remove());
    }
  });
})();
