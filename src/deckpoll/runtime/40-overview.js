/* Overview: every slide as a thumbnail in a grid (laid out lazily by the browser); arrows + Enter or click. */
(() => {
  'use strict';
  const dp = window.deckpoll;
  if (!dp) return;
  const html = document.documentElement;

  dp.ov = dp.use(class Overview {
    constructor() {
      this.open = false;
      this.sel = 0;
      dp.overview = (on) => this.toggle(on);
    }

    bind() {
      if (dp.view === 'print') return;
      this.h = { click: (e) => this.click(e), resize: () => this.open && this.layout() };
      dp.deck.addEventListener('click', this.h.click, true);
      addEventListener('resize', this.h.resize);
    }

    toggle(on) {
      on = on == null ? !this.open : !!on;
      if (on === this.open) return;
      this.open = on;
      html.classList.toggle('dp-overview', on);
      if (on) {
        this.layout();
        this.select(dp.state().index);
      } else {
        this.select(0);
        dp.deck.scrollTop = 0;
      }
      dp.emit('overview', { open: on });
    }

    /* One layout read when opening: the column count and the thumbnail zoom. */
    layout() {
      const w = dp.deck.clientWidth, gap = 16;
      const cols = this.cols = Math.max(2, Math.min(8, Math.round(w / 300)));
      const cell = Math.floor(((w - gap * (cols + 1)) / cols) * 100) / 100;
      dp.deck.style.setProperty('--dp-cols', cols);
      dp.deck.style.setProperty('--dp-thumb', Math.max(0.05, cell / dp.width));
    }

    select(i) {
      const old = dp.slide(this.sel), s = dp.slide(i);
      if (old) old.classList.remove('dp-selected');
      this.sel = s ? i : 0;
      if (!s) return;
      s.classList.add('dp-selected');
      s.scrollIntoView({ block: 'nearest' });
      const title = dp.title(i);
      dp.announce(dp.t('slide_label', { n: i, total: dp.count }) + (title ? ': ' + title : ''));
    }

    /** Handle a key while open; true when used. */
    key(k) {
      const i = this.sel, c = this.cols;
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, ArrowDown: i + c, ArrowUp: i - c, Home: 1, End: dp.count }[k];
      if (to) {
        this.select(Math.min(Math.max(to, 1), dp.count));
      } else if (k === 'Enter') {
        this.pick(i);
      } else if (k === 'Escape' || k === 'o') {
        this.toggle(false);
      } else {
        return false;
      }
      return true;
    }

    pick(i) {
      this.toggle(false);
      dp.go(i, 0);
    }

    click(e) {
      if (!this.open) return;
      const s = e.target.closest('.dp-slide');
      if (!s || s.parentNode !== dp.deck) return;
      e.preventDefault();
      e.stopPropagation();
      this.pick(+s.dataset.dpIndex);
    }

    update(s) { if (this.open) this.select(s.index); }

    destroy() {
      if (!this.h) return;
      dp.deck.removeEventListener('click', this.h.click, true);
      removeEventListener('resize', this.h.resize);
    }
  });
})();
