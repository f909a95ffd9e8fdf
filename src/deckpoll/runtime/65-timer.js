/* Slide timers (`timer: 15m`): a countdown that starts when the presenter reaches its slide, or
   with `t`; large in the slide's corner on the projector, in the speaker view with its controls
   (start/pause, +1 min, reset), and on every phone (join.js). Served, the state is the
   server's (`timer` in the snapshot and events, times in the server's clock: every screen
   agrees and a reload keeps it); from disk it runs here, shared with the speaker window.
   The state: {slide, total, running, ends (epoch s, when running), left (s, when paused)}. */
(() => {
const dp = window.deckpoll, d = document;
if (!dp) return;
const GRACE = 60;  // s: an ended timer still shows this long on the slides after its own
const pad = n => (n < 10 ? '0' : '') + n;
/** 754 -> "12:34", 3700 -> "1:01:40" (whole seconds, rounded up: 0:00 only at the end). */
const clock = s => {
 s = Math.max(0, Math.ceil(s - 1e-6));
 return (s >= 3600 ? Math.floor(s / 3600) + ':' + pad(Math.floor(s / 60) % 60) : Math.floor(s / 60)) + ':' + pad(s % 60);
};
dp.clock = clock;
const timed = i => +(dp.slide(i)?.dataset.dpTimer || 0);

dp.use(class Timer {
 constructor() {
  this.local = null;   // the state when no server keeps it
  this.ended = false;  // the end was seen (signalled once)
  if (d.querySelector('.dp-slide[data-dp-timer]')) {
   dp.timer = () => this.act('toggle');
   dp.timerAct = a => this.act(a);
   dp.timerSync = s => { this.keep(s); this.draw(); };
   dp.timerLocal = () => this.local;
  }
 }
 bind() {
  if (dp.view === 'print' || !dp.timer) return;
  this.box = dp.el('div', 'dp-timer dp-ui', { role: 'timer', 'aria-label': dp.t('timer_left'), hidden: '' });
  this.digits = dp.el('span', 'dp-timer-digits');
  this.note = dp.el('span', 'dp-timer-note');
  this.box.append(this.note, this.digits);
  dp.deck.append(this.box);
  if (dp.view === 'speaker') this.panel();
  try { this.local = JSON.parse(localStorage.getItem(this.store()) || 'null'); } catch (e) { this.local = null; }
  this.off = [dp.on('pollevent', () => this.draw())];
  this.iv = setInterval(() => this.draw(), 250);
 }

 /** The speaker view's controls, beside the talk's own clock. */
 panel() {
  const head = d.querySelector('.dp-sv>header');
  if (!head) return;
  const g = this.controls = dp.el('div', 'dp-sv-timer', { role: 'group', 'aria-label': dp.t('con_timer') });
  this.svTime = dp.el('span', 'dp-sv-timer-time', { role: 'timer', 'aria-label': dp.t('timer_left') });
  /* Short words on the buttons (the group and its digits say what they steer), the whole
     name for a screen reader; the name starts with the words shown (WCAG 2.5.3). */
  const b = (a, shown, name) => {
   const x = dp.el('button', 'dp-button', { type: 'button', 'data-dp-timer-act': a, 'aria-label': dp.t(name) }, dp.t(shown));
   x.onclick = () => this.act(a);
   return x;
  };
  this.toggleBtn = b('toggle', 'con_timer_start', 'con_timer_start');
  g.append(this.svTime, this.toggleBtn, b('add', 'con_timer_add', 'con_timer_add'), b('reset', 'reset', 'con_timer_reset'));
  head.querySelector('span[role=timer]:last-child')?.before(g);
 }

 /* Kept on this computer too: a reload of a deck opened from disk keeps its countdown. */
 store() { return 'deckpoll-timer:' + (dp.config.deck_id || location.pathname); }
 keep(s) {
  this.local = s;
  try { localStorage.setItem(this.store(), JSON.stringify(s)); } catch (e) { /* this page only */ }
 }

 get server() { return dp.link?.live && 'timer' in dp.link.live ? dp.link : null; }

 /** The state now, from the server or kept here, with `now` in the same clock. */
 view() {
  const srv = this.server;
  if (!srv) return this.local && { ...this.local, now: Date.now() / 1000 };
  const s = srv.live.timer;
  return s && { ...s, now: Date.now() / 1000 + (srv.skew || 0) };
 }

 static left(s) { return s.running ? s.ends - s.now : s.left; }

 /** Start, pause, add a minute, reset: the server's call when served, else here. */
 act(a) {
  const srv = this.server, cur = dp.state().index;
  if (srv) {
   if (!srv.key) return;
   const body = { action: a };
   if (a === 'toggle' || a === 'start') body.slide = cur;
   return fetch(srv.base + 'api/v1/timer', { method: 'POST', headers: srv.headers(true), body: JSON.stringify(body) }).catch(() => {});
  }
  this.keep(Timer.change(this.local, a, cur, Date.now() / 1000));
  this.ended = false;
  dp.emit('timer', { state: this.local });
  this.draw();
 }

 /** The same rules as the server's (server/timer.py), for a deck opened from disk. */
 static change(s, a, cur, now) {
  const full = timed(cur);
  const fresh = (i, secs) => ({ slide: i, total: secs, running: true, ends: now + secs, left: null });
  if (a === 'reach') return full && (!s || s.slide !== cur) ? fresh(cur, full) : s;
  if (!s) return full && (a === 'toggle' || a === 'start') ? fresh(cur, full) : s;
  if (a === 'toggle' && full && s.slide !== cur) return fresh(cur, full);
  const left = s.running ? s.ends - now : s.left;
  if (a === 'toggle') a = s.running ? 'pause' : 'start';
  if (a === 'pause' && s.running) return { ...s, running: false, ends: null, left: Math.max(0, left) };
  if (a === 'start' && !s.running) return { ...s, running: true, ends: now + (s.left > 0 ? s.left : s.total), left: null };
  if (a === 'add') {
   const more = Math.max(0, left) + 60;
   return { ...s, total: s.total + 60, ...(s.running ? { ends: now + more } : { left: more }) };
  }
  if (a === 'reset') {
   const secs = timed(s.slide) || s.total;
   return { slide: s.slide, total: secs, running: false, ends: null, left: secs };
  }
  return s;
 }

 update(s) {
  if (!this.box) return;
  if (!this.server && !s.remote && s.previous?.index !== s.index && timed(s.index)) {
   const next = Timer.change(this.local, 'reach', s.index, Date.now() / 1000);
   if (next !== this.local) { this.keep(next); this.ended = false; dp.emit('timer', { state: next }); }
  }
  this.draw();
 }

 draw() {
  if (!this.box) return;
  const s = this.view(), cur = dp.state().index;
  const left = s ? Timer.left(s) : 0, up = !!s && left <= 0;
  const own = !!s && s.slide === cur;
  const shown = !!s && (own || (s.running && left > -GRACE));
  this.box.hidden = !shown;
  this.box.classList.toggle('dp-timer-own', own);
  this.box.classList.toggle('dp-timer-up', up);
  this.box.classList.toggle('dp-timer-paused', !!s && !s.running && !up);
  this.digits.textContent = s ? clock(left) : '';
  this.note.textContent = up ? dp.t('timer_up') : s && !s.running ? dp.t('timer_paused') : '';
  if (this.svTime) {
   this.svTime.textContent = s ? clock(left) : '–:––';
   this.svTime.classList.toggle('dp-timer-up', up);
   const how = !s || (!s.running && !(s.left < s.total)) ? 'start' : s.running ? 'pause' : 'resume';
   this.toggleBtn.textContent = dp.t(how === 'start' ? 'con_timer_start' : how);
   this.toggleBtn.ariaLabel = dp.t('con_timer_' + how);
   this.controls.querySelectorAll('button:not(:first-of-type)').forEach(x => { x.disabled = !s; });
   /* Only where it steers something: on a timer's slide, or while a countdown is under way
      (run or paused part-way), so that the console's header keeps to one row elsewhere. */
   this.controls.hidden = !(timed(cur) || (s && (s.running || s.left < s.total)));
  }
  if (up && s.running && !this.ended) this.end(left);
  if (!up) this.ended = false;
 }

 /** The end, once: announced; a sound with `timer_sound: true`, on the projector only. */
 end(left) {
  this.ended = true;
  if (left < -2) return;  // it ended before this page looked: no fanfare now
  dp.announce?.(dp.t('timer_up'));
  if (!dp.config.timer_sound || dp.view !== 'audience') return;
  try {
   const ac = this.audio ||= new AudioContext(), o = ac.createOscillator(), g = ac.createGain();
   o.frequency.value = 880;
   g.gain.setValueAtTime(0.2, ac.currentTime);
   g.gain.exponentialRampToValueAtTime(0.001, ac.currentTime + 1.2);
   o.connect(g).connect(ac.destination);
   o.start();
   o.stop(ac.currentTime + 1.2);
  } catch (e) { /* no audio here: the screen still shows the end */ }
 }

 destroy() {
  clearInterval(this.iv);
  this.off?.forEach(f => f());
  this.box?.remove();
  this.controls?.remove();
 }
});
})();
