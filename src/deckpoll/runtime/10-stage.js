/* Stage: scale-to-fit, progress, slide number, announcements, blackout, fullscreen. */
(() => {
const dp = window.deckpoll, d = document, html = d.documentElement;
if (!dp) return;
/** Fit slides into a w×h box; whole-pixel offsets keep text sharp. */
dp.fit = (box, w, h) => {
 const s = Math.min(w / dp.width, h / dp.height) || 1, st = box.style;
 st.setProperty('--dp-scale', s);
 st.setProperty('--dp-x', Math.round((w - dp.width * s) / 2) + 'px');
 st.setProperty('--dp-y', Math.round((h - dp.height * s) / 2) + 'px');
};
dp.blackout = (on, o) => {
 on = html.classList.toggle('dp-black', on == null ? undefined : !!on);
 dp.emit('blackout', { on, remote: !!o?.remote });
};
dp.fullscreen = () => {
 if (d.fullscreenElement) d.exitFullscreen();
 else html.requestFullscreen?.().catch(() => {});
};
dp.use(class Stage {
 constructor() { dp.announce = t => { if (this.live) this.live.textContent = t; }; }
 bind() {
  if (dp.view === 'print') return;
  const c = dp.config, deck = dp.deck;
  this.ro = new ResizeObserver(e => dp.fit(deck, e[0].contentRect.width, e[0].contentRect.height));
  this.ro.observe(deck);
  this.live = dp.el('div', 'dp-sr', { role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  deck.append(this.live, dp.el('div', 'dp-blackout dp-ui'));
  if (c.progress !== false) {
   d.body.append(this.bar = dp.el('div', 'dp-progress dp-ui', { 'aria-hidden': 'true' }));
   this.bar.append(dp.el('span'));
  }
  if (c.slide_number !== false) {
   d.body.append(this.num = dp.el('div', 'dp-number dp-ui', { 'aria-hidden': 'true' }));
  }
 }
 update(s) {
  if (this.bar) this.bar.style.setProperty('--dp-progress', s.count > 1 ? (s.index - 1) / (s.count - 1) : 1);
  if (this.num) this.num.textContent = s.index + ' / ' + s.count;
  if (s.previous?.index !== s.index) dp.announce(dp.label(s.index));
 }
 destroy() {
  this.ro?.disconnect();
  [this.live, this.bar, this.num].forEach(e => e?.remove());
 }
});
})();
