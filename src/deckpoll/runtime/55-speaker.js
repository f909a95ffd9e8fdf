/* Speaker view: current slide, next step, notes, timer, clock. */
(() => {
const dp = window.deckpoll, d = document;
if (!dp) return;
const pad = n => (n < 10 ? '0' : '') + n;
/** The talk's plan: `duration` in deck.yaml and `minutes:` per slide; the slides without
    minutes share what the others leave of the duration. Seconds per slide and where each
    starts; null without a plan. */
const plan = () => {
 const given = [...dp.slides].map(s => (s.dataset.dpMinutes != null ? 60 * +s.dataset.dpMinutes : null));
 const fixed = given.reduce((a, x) => a + (x || 0), 0), free = given.filter(x => x == null).length;
 const total = Math.max(+dp.config.duration || 0, fixed);
 if (!total) return null;
 const slides = given.map(x => (x == null ? (free ? (total - fixed) / free : 0) : x));
 let at = 0;
 const starts = slides.map(x => { const s = at; at += x; return s; });
 return { total, slides, starts };
};
dp.use(class Speaker {
 constructor() { dp.speaker = () => this.open(); }
 url() {
  const u = new URL(location.href);
  u.searchParams.set('view', 'speaker');
  return u.href;
 }
 open() {
  if (dp.view !== 'audience') return;
  let w = null;
  try { w = window.open(this.url(), 'dp-speaker', 'popup,width=1280,height=800'); } catch (e) {}
  if (w) return;
  const a = dp.el('a', 'dp-button', { href: this.url() }, dp.t('open_here'));
  const g = dp.dialog('dp-blocked', dp.t('speaker'), dp.el('p', '', null, dp.t('blocked')), a);
  g.onclose = () => g.remove();
  g.showModal();
  a.focus();
 }
 bind() {
  if (dp.view !== 'speaker') return;
  const sv = this.root = dp.el('div', 'dp-sv dp-ui');
  /* Static markup; every text goes in through textContent. */
  sv.innerHTML = '<header><b></b><span class="dp-sv-pace" hidden></span><span class="dp-sv-time" role="timer"></span><button class="dp-button"></button><button '
   + 'class="dp-button"></button><span role="timer"></span></header><div class="dp-sv-cur"></div><aside aria-labelledby="dp-n">'
   + '<h2 id="dp-n"></h2><div class="dp-sv-box"><div class="dp-deck dp-preview" aria-hidden="true" inert></div></div></aside>'
   + '<aside aria-labelledby="dp-x"><h2 id="dp-x"></h2><div class="dp-sv-text" tabindex="0" role="region" aria-labelledby="dp-x">';
  const [count, pace, time, btn, reset, clock, cur, nh, box, xh, notes] = sv.querySelectorAll('b,span,button,div:not(.dp-deck),h2');
  Object.assign(this, { count, pace, time, btn, clock, notes, nh, preview: box.firstChild, plan: plan() });
  /* Poll results change while the next slide waits: copy it again. */
  const again = () => { if (this.nextIndex) this.drawNext(this.nextIndex); };
  this.off = [dp.on('pollresults', e => { if (e.slide === this.nextIndex) again(); }), dp.on('pollevent', e => { if (e.name === 'snapshot') again(); })];
  [[nh, 'next'], [xh, 'notes'], [reset, 'reset']].forEach(([e, k]) => { e.textContent = dp.t(k); });
  time.ariaLabel = dp.t('elapsed');
  clock.ariaLabel = dp.t('clock');
  d.title = dp.t('speaker') + ' – ' + d.title;
  dp.deck.before(sv);
  cur.append(dp.deck);
  this.ro = new ResizeObserver(e => dp.fit(this.preview, e[0].contentRect.width, e[0].contentRect.height));
  this.ro.observe(box);
  btn.onclick = () => this.pause();
  reset.onclick = () => { this.t = { acc: 0, t0: Date.now(), run: this.t.run }; this.tick(); };
  this.t = { acc: 0, t0: Date.now(), run: true };
  this.tick();
  this.iv = setInterval(() => this.tick(), 1000);
  dp.on('notes', () => this.showNotes(dp.state().index));
 }
 pause() {
  const t = this.t, now = Date.now();
  if (t.run) t.acc += now - t.t0; else t.t0 = now;
  t.run = !t.run;
  this.tick();
 }
 tick() {
  const t = this.t, now = new Date(), s = Math.floor((t.acc + (t.run ? now - t.t0 : 0)) / 1000);
  this.time.textContent = (s >= 3600 ? Math.floor(s / 3600) + ':' : '') + pad(Math.floor(s / 60) % 60) + ':' + pad(s % 60);
  this.time.classList.toggle('dp-paused', !t.run);
  this.btn.textContent = dp.t(t.run ? 'pause' : 'resume');
  this.clock.textContent = pad(now.getHours()) + ':' + pad(now.getMinutes());
  this.drawPace(this.used = s);
 }
 /** Time used against the plan, and ahead/behind in words (the colour only repeats them). */
 drawPace(used) {
  const p = this.plan, i = dp.state().index;
  if (!p || !i) return;
  const from = p.starts[i - 1], to = from + p.slides[i - 1], slack = 30;
  const ahead = from - used > slack, behind = used - to > slack;
  const n = Math.max(1, Math.round((ahead ? from - used : used - to) / 60));
  const how = ahead ? dp.t('pace_ahead', { n }) : behind ? dp.t('pace_behind', { n }) : dp.t('pace_on_time');
  this.pace.hidden = false;
  this.pace.textContent = dp.t('pace_used', { used: dp.clock(used), plan: dp.clock(p.total) }) + ' · ' + how;
  this.pace.dataset.dpPace = ahead ? 'ahead' : behind ? 'behind' : 'on-time';
 }
 update(s) {
  if (!this.root) return;
  this.count.textContent = s.index + ' / ' + s.count + (s.fragments ? ' · ' + s.fragment + '/' + s.fragments : '');
  const left = s.fragments - s.fragment;
  this.nh.textContent = dp.t('next') + (left > 0 ? ' · ' + dp.t('more_steps', { n: left }) : '');
  this.drawNext(s.index + 1);
  if (s.previous?.index !== s.index) this.showNotes(s.index);
  this.drawPace(this.used || 0);
 }
 /** The notes of slide i (served decks fetch them after load: see 58-link.js). */
 showNotes(i) {
  const n = dp.slide(i).querySelector('.dp-notes');
  this.notes.textContent = '';
  if (n) n.childNodes.forEach(x => this.notes.append(x.cloneNode(true)));
  else this.notes.append(dp.el('i', '', null, dp.t('no_notes')));
  this.notes.scrollTop = 0;
 }
 /** The next slide as the room will see it: every fragment shown, the poll results as they
     stand now (the copy is taken again whenever they change). */
 drawNext(i) {
  const p = this.preview, c = i <= dp.count && dp.slide(i).cloneNode(true);
  this.nextIndex = i;
  p.textContent = '';
  p.classList.toggle('dp-polls-live', dp.deck.classList.contains('dp-polls-live'));
  if (c) {
   c.removeAttribute('id');
   c.querySelectorAll('[id]').forEach(x => x.removeAttribute('id'));
   c.classList.add('dp-current');
   dp.showFragments(c, Infinity);
   p.append(c);
  } else p.append(dp.el('p', 'dp-sv-end', null, dp.t('end')));
 }
 destroy() {
  this.off?.forEach(f => f());
  clearInterval(this.iv);
  this.ro?.disconnect();
 }
});
})();
