/* Overview: the slides zoomed into a grid; the browser renders only what is on screen. */
(() => {
const dp = window.deckpoll, html = document.documentElement;
if (!dp) return;
dp.ov = dp.use(class Overview {
 constructor() { this.open = false; this.sel = 0; dp.overview = on => this.toggle(on); }
 bind() {
  if (dp.view === 'print') return;
  dp.deck.addEventListener('click', e => this.click(e), { capture: true, signal: this.signal });
  addEventListener('resize', () => this.open && this.layout(), { signal: this.signal });
 }
 toggle(on) {
  on = on == null ? !this.open : !!on;
  if (on === this.open) return;
  html.classList.toggle('dp-overview', this.open = on);
  /* Scrollable while open, so it takes keyboard focus. */
  if (on) { this.layout(); this.caption(); dp.deck.tabIndex = 0; } else { this.uncaption(); dp.deck.removeAttribute('tabindex'); dp.deck.scrollTop = 0; }
  this.select(on ? dp.state().index : 0);
 }
 layout() {
  const w = dp.deck.clientWidth, cols = this.cols = Math.max(2, Math.min(8, Math.round(w / 300)));
  dp.deck.style.setProperty('--dp-cols', cols);
  dp.deck.style.setProperty('--dp-thumb', Math.floor((w - 16 * (cols + 1)) / cols) / dp.width);
 }
 /** "3 · Title" on each thumbnail, made when opened and taken away when closed. A real element,
     not a ::after: axe cannot tell the background of text under a pseudo-element, so a
     generated caption left every thumbnail's contrast undecided (and its own unchecked).
     aria-hidden: screen readers read the slide's own label. */
 caption() {
  for (let i = 1; i <= dp.count; i++) {
   const s = dp.slide(i), h = s && s.querySelector('h1,h2,h3');
   if (!s) continue;
   const c = s.querySelector(':scope>.dp-ov-caption') || s.appendChild(dp.el('span', 'dp-ov-caption', { 'aria-hidden': 'true' }));
   c.textContent = i + (h ? ' · ' + h.textContent.trim() : '');
  }
 }
 uncaption() { dp.deck.querySelectorAll(':scope>.dp-slide>.dp-ov-caption').forEach(c => c.remove()); }
 select(i) {
  const old = dp.slide(this.sel), s = dp.slide(i);
  if (old) old.classList.remove('dp-selected');
  this.sel = s ? i : 0;
  if (!s) return;
  s.classList.add('dp-selected');
  s.scrollIntoView({ block: 'nearest' });
  dp.announce(dp.label(i));
 }
 /** Key while open; true if used. */
 key(k) {
  const i = this.sel, to = { ArrowRight: i + 1, ArrowLeft: i - 1, ArrowDown: i + this.cols, ArrowUp: i - this.cols, Home: 1, End: dp.count }[k];
  if (to) this.select(Math.min(Math.max(to, 1), dp.count));
  else if (k === 'Enter' || k === ' ') this.pick(i);
  else if (k === 'Escape' || k === 'o') this.toggle(false);
  else return false;
  return true;
 }
 pick(i) { this.toggle(false); dp.go(i, 0); }
 click(e) {
  const s = this.open && e.target.closest('.dp-slide');
  if (!s || s.parentNode !== dp.deck) return;
  e.preventDefault();
  e.stopPropagation();
  this.pick(+s.dataset.dpIndex);
 }
 update(s) { if (this.open) this.select(s.index); }
 destroy() { this.toggle(false); }
});
})();
