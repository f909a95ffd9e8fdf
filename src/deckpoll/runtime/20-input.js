/* Input: keyboard shortcuts, go-to-slide box, click/tap zones and swipes. */
(() => {
  'use strict';
  const dp = window.deckpoll;
  if (!dp) return;
  const d = document;
  const KEYS = {
    ArrowRight: 'next', ArrowDown: 'next', PageDown: 'next', n: 'next',
    ArrowLeft: 'prev', ArrowUp: 'prev', PageUp: 'prev', p: 'prev', Home: 'first', End: 'last',
    g: 'jump', o: 'overview', Escape: 'overview', s: 'speaker', b: 'blackout', '.': 'blackout',
    f: 'fullscreen', '?': 'help'
  };
  dp.first = () => dp.go(1, 0);
  dp.last = () => dp.go(dp.count, 0);

  dp.use(class Input {
    constructor() { dp.jump = (v) => this.jump(v || ''); }

    bind() {
      if (dp.view === 'print') return;
      this.h = {
        keydown: (e) => this.key(e),
        click: (e) => this.click(e),
        touchstart: (e) => { const t = e.changedTouches[0]; this.t0 = [t.clientX, t.clientY]; },
        touchend: (e) => this.swipe(e)
      };
      d.addEventListener('keydown', this.h.keydown);
      for (const k of ['click', 'touchstart', 'touchend']) dp.deck.addEventListener(k, this.h[k], { passive: k !== 'click' });
    }

    key(e) {
      const t = e.target, ov = dp.ov && dp.ov.open;
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (t && t.closest && (t.isContentEditable || t.closest('input,textarea,select,dialog'))) return;
      const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const own = t && t.closest && t.closest('a,button,summary');
      let act = KEYS[k];
      if (k === ' ') act = own ? null : e.shiftKey ? 'prev' : 'next';
      if (k === 'Enter' && !own && ov) act = 'pick';
      if (/^[0-9]$/.test(k) && !ov) { e.preventDefault(); this.jump(k); return; }
      if (ov && dp.ov.key(act === 'pick' ? 'Enter' : k)) { e.preventDefault(); return; }
      if (!act || !dp[act]) return;
      e.preventDefault();
      dp[act]();
    }

    jump(value) {
      if (!this.dlg) {
        const dlg = this.dlg = dp.el('dialog', 'dp-dialog dp-jump dp-ui', { 'aria-labelledby': 'dp-jump-l' });
        const form = dp.el('form', '', { method: 'dialog' });
        const inp = this.inp = dp.el('input', '', {
          id: 'dp-jump-i', type: 'text', inputmode: 'numeric', autocomplete: 'off', size: '5'
        });
        form.append(dp.el('label', '', { id: 'dp-jump-l', for: 'dp-jump-i' }, dp.t('goto')), inp);
        dlg.append(form);
        d.body.append(dlg);
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          dlg.close();
          const n = parseInt(inp.value, 10);
          if (n) dp.go(n, 0);
        });
      }
      this.inp.value = value;
      this.dlg.showModal();
      this.inp.focus();
      this.inp.setSelectionRange(value.length, value.length);
    }

    click(e) {
      if (e.button || e.defaultPrevented || (dp.ov && dp.ov.open)) return;
      if (e.target.closest('a,button,input,select,textarea,label,summary,video,audio,[tabindex],[contenteditable]')) return;
      if (String(d.getSelection && d.getSelection())) return;
      const r = dp.deck.getBoundingClientRect(), x = (e.clientX - r.left) / r.width;
      if (x < 1 / 3) dp.prev(); else if (x > 2 / 3) dp.next();
    }

    swipe(e) {
      const t = e.changedTouches[0], s = this.t0;
      this.t0 = null;
      if (!s || (dp.ov && dp.ov.open)) return;
      const dx = t.clientX - s[0], dy = t.clientY - s[1];
      if (Math.abs(dx) > 40 && Math.abs(dx) > 1.5 * Math.abs(dy)) {
        if (dx < 0) dp.next(); else dp.prev();
      }
    }

    destroy() {
      if (!this.h) return;
      d.removeEventListener('keydown', this.h.keydown);
      for (const k of ['click', 'touchstart', 'touchend']) dp.deck.removeEventListener(k, this.h[k]);
    }
  });
})();
