/* Reactions on the deck: the server pushes the phones' taps as one `reactions` event per push
   interval ({counts: {"👏": 3}}); each becomes an emoji floating up the screen's edge (at most
   MAX at once), or, with reduced motion, a quiet counter in the corner. Decoration only:
   hidden from screen readers, never a control. */
(() => {
  'use strict';
  const dp = window.deckpoll;
  if (!dp) return;
  const MAX = 24, LIFE_MS = 3200;

  dp.use(class Reactions {
    bind() {
      this.layer = null;
      this.total = {};
      dp.on('pollevent', (e) => { if (e.name === 'reactions' && e.data) this.show(e.data.counts || {}); });
    }

    area() {
      if (!this.layer) {
        this.layer = dp.el('div', 'dp-reactions', { 'aria-hidden': 'true' });
        document.body.append(this.layer);
      }
      return this.layer;
    }

    show(counts) {
      const layer = this.area();
      if (matchMedia('(prefers-reduced-motion: reduce)').matches) {
        Object.keys(counts).forEach((k) => { this.total[k] = (this.total[k] || 0) + counts[k]; });
        layer.classList.add('dp-reactions-still');
        layer.textContent = Object.keys(this.total).map((k) => k + ' ' + this.total[k]).join('  ');
        return;
      }
      Object.keys(counts).forEach((emoji) => {
        for (let i = 0; i < Math.min(counts[emoji], 6); i++) {
          if (layer.childElementCount >= MAX) return;
          const one = dp.el('span', 'dp-reaction', null, emoji);
          one.style.left = (78 + Math.random() * 18).toFixed(1) + '%';
          one.style.animationDelay = (i * 120) + 'ms';
          layer.append(one);
          setTimeout(() => one.remove(), LIFE_MS + i * 120);
        }
      });
    }
  });
})();
