/* Input: keyboard shortcuts and their help, go-to box, click/tap zones, swipes. */
(() => {
const dp = window.deckpoll, d = document;
if (!dp) return;
const KEYS = dp.keys = {
 ArrowRight: 'next', ArrowDown: 'next', PageDown: 'next', n: 'next', ArrowLeft: 'prev', ArrowUp: 'prev',
 PageUp: 'prev', p: 'prev', Home: 'first', End: 'last', g: 'jump', o: 'overview', Escape: 'overview',
 s: 'speaker', b: 'blackout', '.': 'blackout', f: 'fullscreen', j: 'join', t: 'timer',
 ']': 'share_next', '[': 'share_prev', '?': 'help'
};
const ov = () => dp.ov?.open;
dp.first = () => dp.go(1, 0);
dp.last = () => dp.go(dp.count, 0);
dp.use(class Input {
 constructor() { dp.jump = v => this.jump(v || ''); }
 bind() {
  if (dp.view === 'print') return;
  const signal = this.signal, on = (t, k, f) => t.addEventListener(k, f, { signal, passive: k[0] === 't' });
  on(d, 'keydown', e => this.key(e));
  on(dp.deck, 'click', e => this.click(e));
  on(dp.deck, 'touchstart', e => { const t = e.changedTouches[0]; this.t0 = [t.clientX, t.clientY]; });
  on(dp.deck, 'touchend', e => this.swipe(e.changedTouches[0]));
 }
 key(e) {
  const t = e.target, k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  /* Focus can sit in a dialog that just closed until the next frame's focus fix-up:
     such a dialog owns no keys, or the first key after Esc would be lost. */
  const closed = t.closest?.('dialog:not([open])');
  if (!closed && (t.isContentEditable || t.closest?.('input,textarea,select,dialog'))) return;
  const own = !closed && t.closest?.('a,button,summary');
  let act = k === ' ' ? !own && (e.shiftKey ? 'prev' : 'next') : KEYS[k];
  if (/^\d$/.test(k) && !ov()) act = 'jump';
  if (ov() && !(own && k === 'Enter') && dp.ov.key(k)) act = null;
  else if (!act || !dp[act]) return;
  e.preventDefault();
  if (act) dp[act](act === 'jump' ? k.replace('g', '') : undefined);
 }
 jump(value) {
  if (!this.dlg) {
   const form = dp.el('form'), dlg = this.dlg = dp.dialog('dp-jump', dp.t('jump'), form);
   this.inp = dp.el('input', '', { id: 'dp-jump-i', inputmode: 'numeric', autocomplete: 'off', size: '5' });
   form.append(dp.el('label', '', { for: 'dp-jump-i' }, dp.t('jump')), this.inp);
   form.onsubmit = e => {
    e.preventDefault();
    dlg.close();
    const n = parseInt(this.inp.value, 10);
    if (n) dp.go(n, 0);
   };
  }
  this.inp.value = value;
  this.dlg.showModal();
  this.inp.setSelectionRange(value.length, value.length);
 }
 click(e) {
  if (e.button || e.defaultPrevented || ov() || String(d.getSelection())) return;
  if (e.target.closest('a,button,input,select,textarea,label,summary,video,audio,[tabindex],[contenteditable]')) return;
  const r = dp.deck.getBoundingClientRect(), x = (e.clientX - r.left) / r.width;
  if (x < 1 / 3) dp.prev(); else if (x > 2 / 3) dp.next();
 }
 swipe(t) {
  const s = this.t0;
  this.t0 = null;
  if (!s || ov()) return;
  const dx = t.clientX - s[0], dy = t.clientY - s[1];
  if (Math.abs(dx) > 40 && Math.abs(dx) > 1.5 * Math.abs(dy)) { if (dx < 0) dp.next(); else dp.prev(); }
 }
});
dp.use(class Help {
 constructor() { dp.help = () => this.show(); }
 show() {
  const el = dp.el, rows = { next: ['Space'], prev: ['Shift+Space'], jump: ['1…9 Enter'] }, table = el('table');
  if (!this.dlg) {
   for (const k in KEYS) {
    if (!dp[KEYS[k]]) continue;  /* a feature this deck does not have (no polls: no `join`) */
    (rows[KEYS[k]] = rows[KEYS[k]] || []).push({ ArrowRight: '→', ArrowLeft: '←', ArrowDown: '↓', ArrowUp: '↑', Escape: 'Esc' }[k] || (k[1] ? k : k.toUpperCase()));
   }
   for (const a in rows) {
    const tr = el('tr'), td = el('td');
    rows[a].forEach((k, n) => td.append(n ? ' ' : '', el('kbd', '', null, k)));
    tr.append(td, el('td', '', null, dp.t(a)));
    table.append(tr);
   }
   this.dlg = dp.dialog('dp-help', dp.t('help'), el('h2', '', null, dp.t('help')), table, el('p', '', null, dp.t('tap')));
  }
  if (!this.dlg.open) this.dlg.showModal();
 }
 destroy() { this.dlg?.remove(); }
});
})();
