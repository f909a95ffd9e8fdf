/* Help: a dialog listing every shortcut, built on first use. */
(() => {
  'use strict';
  const dp = window.deckpoll;
  if (!dp) return;
  const ROWS = [
    [['→', 'Space', 'PageDown', 'N'], 'k_next'], [['←', 'Shift+Space', 'PageUp', 'P'], 'k_prev'],
    [['Home', 'End'], 'k_ends'], [['1…9 Enter', 'G'], 'k_go'], [['O', 'Esc'], 'k_ov'], [['S'], 'k_sp'],
    [['B', '.'], 'k_black'], [['F'], 'k_fs'], [['?'], 'k_help']
  ];

  dp.use(class Help {
    constructor() { dp.help = () => this.show(); }

    show() {
      const el = dp.el;
      if (!this.dlg) {
        const dlg = this.dlg = el('dialog', 'dp-dialog dp-help dp-ui', { 'aria-labelledby': 'dp-help-h' });
        const table = el('table'), head = el('tr');
        head.append(el('th', '', { scope: 'col' }, dp.t('key')), el('th', '', { scope: 'col' }, dp.t('action')));
        table.append(head);
        for (const [keys, what] of ROWS) {
          const tr = el('tr'), td = el('td');
          keys.forEach((k, n) => td.append(n ? ' ' : '', el('kbd', '', null, k)));
          tr.append(td, el('td', '', null, dp.t(what)));
          table.append(tr);
        }
        const close = el('button', 'dp-button', { type: 'button' }, dp.t('close'));
        close.addEventListener('click', () => dlg.close());
        dlg.append(el('h2', '', { id: 'dp-help-h' }, dp.t('help')), table, el('p', '', null, dp.t('k_tap')), close);
        document.body.append(dlg);
      }
      if (!this.dlg.open) this.dlg.showModal();
    }

    destroy() { if (this.dlg) this.dlg.remove(); }
  });
})();
