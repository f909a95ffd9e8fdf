/* Print: one page per slide at the deck's size (?print, ?print&notes, or the browser's print dialog). */
(() => {
  'use strict';
  const dp = window.deckpoll;
  if (!dp) return;
  const html = document.documentElement;

  dp.use(class Print {
    bind() {
      const notes = dp.view === 'print' && dp.params.has('notes');
      const page = this.page = dp.el('style', '', { 'data-dp-page': '' });
      page.textContent = '@page{size:' + dp.width + 'px ' + (dp.height + (notes ? Math.round(dp.height / 2) : 0)) + 'px;margin:0}';
      document.head.append(page);
      if (dp.view === 'print') {
        html.classList.add('dp-print');
        html.classList.toggle('dp-print-notes', notes);
        return;
      }
      this.h = {
        beforeprint: () => html.classList.replace('dp-present', 'dp-print'),
        afterprint: () => html.classList.replace('dp-print', 'dp-present')
      };
      for (const k in this.h) addEventListener(k, this.h[k]);
    }

    destroy() {
      if (this.page) this.page.remove();
      for (const k in this.h || {}) removeEventListener(k, this.h[k]);
    }
  });
})();
