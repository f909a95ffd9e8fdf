/* Sync: windows of the same deck follow each other (BroadcastChannel, and localStorage events as fallback). */
(() => {
const dp = window.deckpoll;
if (!dp) return;
dp.use(class Sync {
 constructor() { this.id = Math.random().toString(36).slice(2); this.seq = 0; this.seen = {}; }
 bind() {
  if (dp.view === 'print') return;
  const key = this.key = 'deckpoll:' + (dp.config.deck_id || location.pathname);
  try { this.bc = new BroadcastChannel(key); this.bc.onmessage = (e) => this.recv(e.data); } catch (e) { this.bc = null; }
  this.store = (e) => { if (e.key === key && e.newValue) try { this.recv(JSON.parse(e.newValue)); } catch (x) { /* not ours */ } };
  addEventListener('storage', this.store);
  this.off = [
   dp.on('blackout', (s) => s.remote || this.send({ t: 'black', on: s.on })),
   /* A speaker view opened on a given slide leads; any other window asks where the talk is. */
   dp.on('ready', () => { this.ready = true; this.send(dp.view === 'speaker' && location.hash ? this.state() : { t: 'hello' }); })
  ];
 }
 state() { const s = dp.state(); return { t: 'go', i: s.index, f: s.fragment }; }
 send(m) {
  m.from = this.id;
  m.seq = ++this.seq;
  if (this.bc) this.bc.postMessage(m);
  try { localStorage.setItem(this.key, JSON.stringify(m)); } catch (e) { /* storage disabled */ }
 }
 recv(m) {
  if (!m || !m.from || m.from === this.id || (this.seen[m.from] || 0) >= m.seq) return;
  this.seen[m.from] = m.seq;
  if (m.t === 'go') dp.go(m.i, m.f, { remote: true });
  else if (m.t === 'hello' && this.ready) this.send(this.state());
  else if (m.t === 'black') dp.blackout(m.on, { remote: true });
 }
 update(s) { if (this.ready && !s.remote) this.send({ t: 'go', i: s.index, f: s.fragment }); }
 destroy() {
  if (this.bc) this.bc.close();
  removeEventListener('storage', this.store);
  (this.off || []).forEach((f) => f());
 }
});
})();
