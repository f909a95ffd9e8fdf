/* Sync: windows of one deck follow each other (BroadcastChannel, else storage events). */
(() => {
const dp = window.deckpoll;
if (!dp) return;
dp.use(class Sync {
 constructor() { this.id = Math.random().toString(36).slice(2); this.seq = 0; this.seen = {}; }
 bind() {
  if (dp.view === 'print') return;
  const key = this.key = 'deckpoll:' + (dp.config.deck_id || location.pathname);
  try { this.bc = new BroadcastChannel(key); this.bc.onmessage = e => this.recv(e.data); } catch (e) { this.bc = null; }
  addEventListener('storage', e => {
   if (e.key === key && e.newValue) try { this.recv(JSON.parse(e.newValue)); } catch (x) {}
  }, { signal: this.signal });
  this.off = [
   dp.on('blackout', s => s.remote || this.send({ t: 'black', on: s.on })),
   /* A slide timer kept here (no server): the other window shows the same countdown. */
   dp.on('timer', s => this.send({ t: 'timer', s: s.state })),
   /* A speaker view opened on a given slide leads; other windows ask. */
   dp.on('ready', () => { this.ready = true; this.send(dp.view === 'speaker' && location.hash ? this.state() : { t: 'hello' }); })
  ];
 }
 state() { const s = dp.state(); return { t: 'go', i: s.index, f: s.fragment }; }
 send(m) {
  m.from = this.id;
  m.seq = ++this.seq;
  this.bc?.postMessage(m);
  try { localStorage.setItem(this.key, JSON.stringify(m)); } catch (e) {}
 }
 recv(m) {
  if (!m || !m.from || m.from === this.id || (this.seen[m.from] || 0) >= m.seq) return;
  this.seen[m.from] = m.seq;
  if (m.t === 'go') dp.go(m.i, m.f, { remote: true });
  else if (m.t === 'hello' && this.ready) {
   this.send(this.state());
   if (dp.timerLocal?.()) this.send({ t: 'timer', s: dp.timerLocal() });
  }
  else if (m.t === 'timer') dp.timerSync?.(m.s);
  else if (m.t === 'black') dp.blackout(m.on, { remote: true });
 }
 update(s) { if (this.ready && !s.remote) this.send({ t: 'go', i: s.index, f: s.fragment }); }
 destroy() {
  this.bc?.close();
  this.off.forEach(f => f());
 }
});
})();
