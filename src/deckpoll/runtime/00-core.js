/* deckpoll runtime core: config, strings, state, URL hash, events, controllers. */
(() => {
const d = document, html = d.documentElement, deck = d.getElementById('dp-deck');
if (!deck || window.deckpoll) return;
let cfg = {}, cur = { index: 0, fragment: 0 };
try { cfg = JSON.parse(d.getElementById('dp-config').textContent) || {}; } catch (e) {}
let plural;
try { plural = new Intl.PluralRules(cfg.strings_lang || 'en'); } catch (e) { plural = new Intl.PluralRules('en'); }
const q = new URLSearchParams(location.search), slides = deck.querySelectorAll(':scope>.dp-slide'), ctl = [];
/* One failing controller must not take the deck down with it. */
const each = (m, a) => ctl.forEach(c => { try { c[m]?.(a); } catch (e) { console.error(e); } });
const dp = window.deckpoll = {
 config: cfg, deck, slides, count: slides.length, params: q,
 width: +cfg.width || 1280, height: +cfg.height || 720,
 view: q.has('print') ? 'print' : q.get('view') === 'speaker' ? 'speaker' : 'audience',
 /** A string of the deck's language (strings/<lang>.yaml, section deck, in the config);
     a {one, other, ...} value takes the plural form for vars.n. */
 t(key, vars) {
  let s = cfg.strings?.[key] ?? key;
  if (typeof s === 'object') s = s[plural.select(+vars?.n || 0)] ?? s.other;
  for (const k in vars) s = s.split('{' + k + '}').join(vars[k]);
  return s;
 },
 slide: i => slides[i - 1] || null,
 fragments: i => (slides[i - 1] ? +slides[i - 1].dataset.dpFragments || 0 : 0),
 state: () => ({ index: cur.index, fragment: cur.fragment, count: slides.length }),
 /** deckpoll.on('slidechange', fn) -> unsubscribe function. */
 on(type, fn) {
  const n = 'dp:' + type.replace(/^dp:/, ''), h = e => fn(e.detail, e);
  deck.addEventListener(n, h);
  return () => deck.removeEventListener(n, h);
 },
 emit(type, detail) { deck.dispatchEvent(new CustomEvent('dp:' + type, { detail, bubbles: true })); },
 /** A controller: constructor, bind(), update(step), destroy(); listeners take `{ signal }`.
     bind, update, destroy, abort and signal are the lifecycle's names: a controller keeps its
     own state under other names (one that stored an AbortController as `abort` broke destroy). */
 use(C) { const c = new C(), a = new AbortController(); c.signal = a.signal; c.abort = () => a.abort(); ctl.push(c); return c; },
 destroy() { each('destroy'); each('abort'); removeEventListener('hashchange', dp.onhash); },
 el(tag, cls, attrs, text) {
  const e = d.createElement(tag);
  if (cls) e.className = cls;
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text != null) e.textContent = text;
  return e;
 },
 dialog(cls, label, ...kids) {
  const g = dp.el('dialog', 'dp-dialog dp-ui ' + cls, { 'aria-label': label });
  const c = dp.el('button', 'dp-button', { type: 'button' }, dp.t('close'));
  c.onclick = () => g.close();
  g.append(...kids, c);
  d.body.append(g);
  return g;
 },
 label(i) {
  const h = slides[i - 1].querySelector('h1,h2,h3');
  return dp.t('slide_label', { n: i, total: slides.length }) + (h ? ': ' + h.textContent.trim() : '');
 },
 showFragments(slide, f) {
  slide.querySelectorAll('.dp-fragment').forEach((e, k) => e.classList.toggle('dp-visible', (+e.dataset.dpFragment || k + 1) <= f));
 },
 /** Show slide i (1-based) with f fragments visible (f < 0: all of them). */
 go(i, f, o) {
  o = o || {};
  const n = slides.length, p = cur;
  if (!n) return false;
  i = Math.min(Math.max(Math.round(+i) || 1, 1), n);
  const nf = dp.fragments(i), s = slides[i - 1];
  f = f < 0 ? nf : Math.min(Math.max(Math.round(+f) || 0, 0), nf);
  if (p.index === i && p.fragment === f) return false;
  if (p.index !== i) {
   if (slides[p.index - 1]) slides[p.index - 1].classList.remove('dp-current');
   s.classList.add('dp-current');
  }
  dp.showFragments(s, f);
  cur = { index: i, fragment: f };
  const h = '#/' + i + (f ? '/' + f : '');
  if (o.hash !== false && dp.view !== 'print' && location.hash !== h) {
   if (o.replace || o.remote || p.index === i) location.replace(h); else location.hash = h;
  }
  const detail = { index: i, fragment: f, fragments: nf, count: n, remote: !!o.remote, previous: p.index ? p : null };
  each('update', detail);
  dp.emit(p.index !== i ? 'slidechange' : 'fragment', detail);
  return true;
 },
 next(o) { return cur.fragment < dp.fragments(cur.index) ? dp.go(cur.index, cur.fragment + 1, o) : dp.go(cur.index + 1, 0, o); },
 prev(o) { return cur.fragment > 0 ? dp.go(cur.index, cur.fragment - 1, o) : cur.index > 1 && dp.go(cur.index - 1, -1, o); },
 /** '#/3/2' -> {index: 3, fragment: 2}, else null. */
 parseHash(h) {
  const m = /^#\/(\d+)(?:\/(\d+))?$/.exec(h);
  return m ? { index: +m[1], fragment: +m[2] || 0 } : null;
 },
 start() {
  if (dp.started) return;
  dp.started = true;
  html.classList.remove('dp-nojs');
  html.classList.add('dp-js', 'dp-view-' + dp.view);
  if (dp.view !== 'print') html.classList.add('dp-present');
  html.style.cssText += `--dp-width:${dp.width}px;--dp-height:${dp.height}px;--dp-ratio:${dp.width}/${dp.height}`;
  each('bind');
  const h = dp.parseHash(location.hash) || { index: 1, fragment: 0 };
  dp.go(h.index, h.fragment, { replace: true, hash: !!location.hash });
  addEventListener('hashchange', dp.onhash = () => { const s = dp.parseHash(location.hash); if (s) dp.go(s.index, s.fragment, { replace: true }); });
  html.dataset.dpReady = '1';
  dp.emit('ready', dp.state());
 }
};
/* Fallback: start even if a later runtime file threw. */
d.addEventListener('DOMContentLoaded', () => dp.start());
})();
