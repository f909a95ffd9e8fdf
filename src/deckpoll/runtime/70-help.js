/* Help: a dialog listing every shortcut, built on first use. */
(() => {
const dp = window.deckpoll;
if (!dp) return;
const ROWS = [
 ['→ Space PageDown N', 'k_next'], ['← Shift+Space PageUp P', 'k_prev'], ['Home End', 'k_ends'],
 ['1…9+Enter G', 'goto'], ['O Esc', 'k_ov'], ['S', 'speaker'], ['B .', 'k_black'], ['F', 'k_fs'], ['?', 'k_help']
];
dp.use(class Help {
 constructor() { dp.help = () => this.show(); }
 show() {
  const el = dp.el;
  if (!this.dlg) {
   const table = el('table'), head = el('tr');
   head.append(el('th', '', { scope: 'col' }, dp.t('key')), el('th', '', { scope: 'col' }, dp.t('action')));
   table.append(head);
   for (const [keys, what] of ROWS) {
    const tr = el('tr'), td = el('td');
    keys.split(' ').forEach((k, n) => td.append(n ? ' ' : '', el('kbd', '', null, k)));
    tr.append(td, el('td', '', null, dp.t(what)));
    table.append(tr);
   }
   this.dlg = dp.dialog('dp-help', dp.t('help'), el('h2', '', null, dp.t('help')), table, el('p', '', null, dp.t('k_tap')));
  }
  if (!this.dlg.open) this.dlg.showModal();
 }
 destroy() { if (this.dlg) this.dlg.remove(); }
});
})();
