/* Presenter console in the speaker view: every poll control (open, close, reveal, reset with
   an undo window, hide, approve) and every answer of the poll at hand, searchable. The
   projected deck shows content only; this is where the presenter acts. Audience text goes
   in through textContent only. */
(() => {
const dp = window.deckpoll, d = document;
if (!dp) return;
const UNDO_SECONDS = 6;  // a reset waits this long before it is sent, and can be undone
const PAGE = 2000;       // answers per request of the moderation list
const t = (k, n) => dp.t('con_' + k, { n });

dp.use(class Console {
 bind() {
  const sv = d.querySelector('.dp-sv');
  /* Without a poll backend (a deck opened from disk) there is nothing to control. */
  if (dp.view !== 'speaker' || !sv || !dp.link?.backend()) return;
  /* Poll id -> its slide, in slide order. */
  this.slides = [];
  dp.slides.forEach((s, k) => s.querySelectorAll('[data-dp-poll-id]').forEach(p => {
   if (!this.slides.some(x => x.id === p.dataset.dpPollId)) this.slides.push({ id: p.dataset.dpPollId, slide: k + 1, kind: p.dataset.dpPollKind, el: p });
  }));
  if (!this.slides.length) return;
  this.answers = [];      // the moderation list of the poll at hand
  this.filter = 'all';
  this.query = '';
  sv.classList.add('dp-sv-polls');
  const root = this.root = dp.el('section', 'dp-con', { 'aria-labelledby': 'dp-con-h' });
  const head = dp.el('div', 'dp-con-head');
  this.where = dp.el('h2', '', { id: 'dp-con-h' });
  this.question = dp.el('p', 'dp-con-q');
  this.badges = dp.el('p', 'dp-con-badges');
  head.append(this.where, this.question, this.badges);
  this.counts = dp.el('dl', 'dp-con-counts');
  this.actions = dp.el('div', 'dp-con-actions', { role: 'group', 'aria-label': t('title') });
  this.notice = dp.el('div', 'dp-con-notice', { role: 'status', 'aria-live': 'polite' });
  const tools = dp.el('div', 'dp-con-tools');
  this.search = dp.el('input', 'dp-con-search', { type: 'search', id: 'dp-con-s', autocomplete: 'off', placeholder: t('search') });
  this.search.oninput = () => { this.query = this.search.value.trim().toLocaleLowerCase(); this.drawList(); };
  this.filters = dp.el('div', 'dp-con-filters', { role: 'group', 'aria-label': t('list') });
  /* Answers per table (`group: true` polls): one table's answers, or all. */
  this.tableBox = dp.el('p', 'dp-con-table');
  this.tablePick = dp.el('select', 'dp-con-tpick', { id: 'dp-con-t' });
  this.tablePick.onchange = () => { this.table = this.tablePick.value; this.drawList(); };
  this.tableBox.append(dp.el('label', '', { for: 'dp-con-t' }, t('table')), this.tablePick);
  tools.append(this.tableBox, dp.el('label', 'dp-sr', { for: 'dp-con-s' }, t('search')), this.search, this.filters);
  this.list = dp.el('ul', 'dp-con-list', { 'aria-label': t('list') });
  this.empty = dp.el('p', 'dp-con-empty');
  this.body = dp.el('div', 'dp-con-body');
  this.body.append(tools, this.list, this.empty);
  root.append(head, this.counts, this.actions, this.notice, this.body);
  sv.append(root);
  root.addEventListener('click', e => this.click(e), { signal: this.signal });
  this.off = [dp.on('pollevent', e => this.event(e))];
 }

 /** The poll at hand: the current slide's, else the next one, else the last before. */
 pick(index) {
  return this.slides.find(p => p.slide === index) || this.slides.find(p => p.slide > index)
   || this.slides.filter(p => p.slide < index).pop();
 }

 update(s) {
  if (!this.root) return;
  const p = this.pick(s.index);
  if (p === this.poll) return;
  this.poll = p;
  this.answers = [];
  this.search.value = this.query = '';
  this.filter = 'all';
  this.picked = new Set();  // word groups chosen to merge
  this.synth = null;        // an open poll's clusters while the synthesis is shown
  this.table = '';
  this.draw();
  this.load();
 }

 get polls() { return dp.link; }  // the link to the server (58-link.js)
 get live() { return this.polls?.live || null; }

 event(e) {
  if (e.name === 'warning' && e.data?.kind === 'fast_answers') return this.say(t('fast', e.data.voters));
  if (!this.poll) return;
  if (e.name === 'snapshot' || e.id === this.poll.id) {
   this.draw();
   if (e.name !== 'poll') this.load();  // a snapshot or new results: the list changed too
  }
  else if (e.name === 'presence') this.drawCounts();
 }

 /** Fetch every page of the moderation list; one load at a time, the latest wins. */
 async load() {
  const polls = this.polls, p = this.poll;
  if (!polls?.key || !polls.base || !this.live || !p) return;
  if (this.loading) { this.again = true; return; }
  this.loading = true;
  try {
   const got = [];
   for (let after = 0; after != null;) {
    const res = await fetch(polls.base + 'api/v1/polls/' + encodeURIComponent(p.id) + '/moderation?limit=' + PAGE + '&after=' + after,
     { headers: polls.headers(), cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const page = await res.json();
    got.push(...page.answers);
    after = page.next;
   }
   if (p === this.poll && this.synth) this.synth = await this.fetchSynthesis();
   if (p === this.poll) { this.answers = got; this.drawList(); }
  } catch (e) { /* offline or refused: the next event loads again */ }
  this.loading = false;
  if (this.again) { this.again = false; this.load(); }
 }

 state() {
  const live = this.live, id = this.poll.id;
  const st = live?.polls?.[id] || {}, el = this.poll.el;
  const question = el.querySelector('.dp-poll-question')?.textContent.trim() || id;
  return { live, st, res: live?.results?.[id] || null, poll: { question, held: st.moderation === 'approve' } };
 }

 draw() {
  if (!this.poll) return;
  const { live, st, poll } = this.state(), idx = dp.state().index, slide = this.poll.slide;
  this.where.textContent = slide === idx ? t('title') + ' · ' + dp.t('slide') + ' ' + slide
   : t(slide > idx ? 'upcoming' : 'earlier', slide);
  this.question.textContent = poll.question;
  this.badges.textContent = '';
  const badge = (text, cls) => this.badges.append(dp.el('span', 'dp-con-badge ' + (cls || ''), null, text));
  if (!this.polls?.key) badge(t('no_key'), 'dp-con-warn');
  else if (!live) badge(t('offline'), 'dp-con-warn');
  else {
   badge(st.status === 'open' ? t('status_open') : st.opened ? t('status_closed') : t('status_new'), 'dp-con-' + (st.status === 'open' ? 'open' : 'shut'));
   badge(st.results === 'on_reveal' ? t(st.revealed ? 'results_shown' : 'results_on_reveal') : t('results_' + (st.results || 'live')));
   if (poll.held) badge(t('held'));
  }
  this.drawCounts();
  this.drawActions();
  this.drawTables();
  this.drawList();
 }

 /** The table filter: the deck's tables with their answer counts, on polls that collect them. */
 drawTables() {
  const groups = dp.config.polls?.groups || [], on = !!this.poll.el.dataset.dpPollGroup && groups.length > 0;
  this.tableBox.hidden = !on;
  if (!on) return;
  const counts = {};
  (this.state().res?.tables || []).forEach(x => { counts[x.id] = x.answers; });
  const pick = this.tablePick, keep = this.table || '';
  pick.textContent = '';
  pick.append(dp.el('option', '', { value: '' }, t('all_tables')));
  groups.forEach(g => pick.append(dp.el('option', '', { value: g.id }, g.label + ' (' + (counts[g.id] || 0) + ')')));
  pick.value = keep;
 }

 /** The answers of the table chosen in the filter (all without one). */
 mine() { return this.table ? this.answers.filter(a => a.value.group === this.table) : this.answers; }

 drawCounts() {
  const { live, res } = this.state(), room = res?.room || res;  // the whole room, also mid-round
  this.counts.textContent = '';
  [['participants', room?.voters], ['answers', room?.answers], ['waiting', res?.pending], ['phones', live?.audience]].forEach(([k, v]) => {
   if (k === 'waiting' && !this.state().poll.held && !v) return;
   const box = dp.el('div', 'dp-con-count dp-con-count-' + k);
   box.append(dp.el('dd', '', null, v == null ? '–' : String(v)), dp.el('dt', '', null, t(k)));
   this.counts.append(box);
  });
 }

 drawActions() {
  const { live, st } = this.state(), a = this.actions, keep = this.focusKey();
  a.textContent = '';
  if (!this.polls?.key || !live) return;
  const button = (action, label, cls) => a.append(dp.el('button', 'dp-button dp-con-act ' + (cls || ''), { type: 'button', 'data-dp-con': action }, label));
  if (st.status === 'open') button('close', t('close')); else button('open', t('open'), 'dp-con-primary');
  if (st.results === 'on_reveal') button(st.revealed ? 'conceal' : 'reveal', t(st.revealed ? 'conceal' : 'reveal'));
  else if (this.poll.kind === 'quiz' && !st.revealed) button('reveal', t('reveal_answer'), 'dp-con-primary');  // the correct option, scores
  button('reset', t('reset'), 'dp-con-danger');
  this.drawShare();
  this.refocus(keep);
 }

 /** The sharing round's controls on a poll with tables: table by table, then everyone. */
 drawShare() {
  if (!this.poll.el.dataset.dpPollGroup || !(dp.config.polls?.groups || []).length) return;
  const { res } = this.state(), box = dp.el('div', 'dp-con-share', { role: 'group', 'aria-label': t('share') });
  const now = dp.polls.shareLine(res);
  box.append(dp.el('span', 'dp-con-share-now', null, now || t('share')));
  [['share:prev', 'share_prev'], ['share:next', 'share_next', 'dp-con-primary'], ['share:all', 'share_all']].forEach(([a, k, cls]) =>
   box.append(dp.el('button', 'dp-button dp-con-act ' + (cls || ''), { type: 'button', 'data-dp-con': a }, t(k))));
  if (res?.share) box.append(dp.el('button', 'dp-button dp-con-act', { type: 'button', 'data-dp-con': 'share:off' }, t('share_off')));
  this.actions.append(box);
 }

 /** Word groups (a word cloud) or single answers, each with its state and members. */
 rows() {
  const kind = this.poll.kind;
  if (kind !== 'wordcloud') {
   const rows = this.mine().map(a => ({ key: 'a' + a.id, text: a.value.text ?? JSON.stringify(a.value), members: [a], at: a.created })).reverse();
   /* Questions as the big screen orders them: open before answered, pinned, most votes. */
   const rank = a => [a.answered ? 1 : 0, a.pinned ? 0 : 1, -(a.votes || 0), a.id];
   const cmp = (x, y) => { const a = rank(x.members[0]), b = rank(y.members[0]); for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i] - b[i]; return 0; };
   return kind === 'qa' ? rows.sort(cmp) : rows;
  }
  const groups = new Map();
  this.mine().forEach(a => {
   const g = groups.get(a.group) || { key: 'g' + a.group, group: a.group, members: [] };
   g.members.push(a);
   groups.set(a.group, g);
  });
  const rows = [...groups.values()];
  rows.forEach(g => {
   const forms = new Map();
   g.members.forEach(a => forms.set(a.value.text, (forms.get(a.value.text) || 0) + 1));
   g.text = [...forms.entries()].sort((x, y) => y[1] - x[1])[0][0];
   g.count = g.members.filter(a => !a.hidden && !a.pending).length;
  });
  return rows.sort((x, y) => y.count - x.count || x.text.localeCompare(y.text));
 }

 drawList() {
  if (!this.poll) return;
  const keep = this.focusKey(), kind = this.poll.kind, textual = ['wordcloud', 'open', 'qa'].includes(kind);
  this.body.hidden = !this.polls?.key || !this.live;
  this.list.textContent = '';
  if (!textual) return this.drawTally(keep);
  const rows = this.rows();
  const waiting = rows.filter(r => r.members.some(a => a.pending && !a.hidden));
  const hidden = rows.filter(r => r.members.every(a => a.hidden));
  this.filters.textContent = '';
  [['all', t('all') + ' ' + rows.length], ['waiting', t('show_waiting') + ' ' + waiting.length], ['hidden', t('show_hidden') + ' ' + hidden.length]].forEach(([f, label]) => {
   if (f === 'waiting' && !waiting.length && !this.state().poll.held) return;
   this.filters.append(dp.el('button', 'dp-con-filter', { type: 'button', 'data-dp-con': 'filter:' + f, 'aria-pressed': String(this.filter === f) }, label));
  });
  // "Approve all" never releases what looked like personal data: that is one by one.
  const plain = this.answers.filter(a => a.pending && !a.hidden && !a.personal).length;
  if (plain) this.filters.append(dp.el('button', 'dp-button dp-con-primary', { type: 'button', 'data-dp-con': 'approve-all' }, t('approve_all', plain)));
  /* Merge the chosen word groups; an open poll's answers side by side with similar ones. */
  const picked = [...(this.picked || [])].filter(k => rows.some(r => r.group === k));
  if (kind === 'wordcloud' && picked.length > 1) this.filters.append(dp.el('button', 'dp-button dp-con-primary', { type: 'button', 'data-dp-con': 'merge' }, t('merge', picked.length)));
  if (kind === 'open') this.filters.append(dp.el('button', 'dp-con-filter', { type: 'button', 'data-dp-con': 'synthesis', 'aria-pressed': String(!!this.synth) }, t('synthesis')));
  if (kind === 'open' && this.synth) return this.drawSynthesis(keep);
  const shown = (this.filter === 'waiting' ? waiting : this.filter === 'hidden' ? hidden : rows)
   .filter(r => !this.query || r.members.some(a => String(a.value.text || '').toLocaleLowerCase().includes(this.query)));
  shown.forEach(r => this.list.append(this.row(r, kind)));
  this.empty.textContent = shown.length ? '' : rows.length ? t('no_match') : t('empty');
  this.refocus(keep);
 }

 row(r, kind) {
  const li = dp.el('li', 'dp-con-row'), all = r.members, off = all.every(a => a.hidden);
  const wait = all.filter(a => a.pending && !a.hidden);
  li.classList.toggle('dp-con-off', off);
  li.classList.toggle('dp-con-wait', wait.length > 0);
  const text = dp.el('span', 'dp-con-text', null, r.text);
  const meta = dp.el('span', 'dp-con-meta');
  if (kind === 'wordcloud') meta.append(dp.el('b', 'dp-con-n', null, String(r.count)));
  else if (kind === 'qa') meta.append(dp.el('b', 'dp-con-n', null, '▲ ' + (all[0].votes || 0)));
  else meta.append(dp.el('time', '', null, new Date(r.at * 1000).toLocaleTimeString(dp.config.lang || [], { hour: '2-digit', minute: '2-digit' })));
  if (kind === 'qa') {  // the presenter's marks on a question, and its asker's name
   const q = all[0];
   if (q.value.name) meta.append(dp.el('span', '', null, q.value.name));
   if (q.pinned) meta.append(dp.el('span', 'dp-con-tag', null, t('pinned')));
   if (q.answered) meta.append(dp.el('span', 'dp-con-tag', null, t('answered')));
  }
  // Held as it looked like personal data: flagged with what it seemed to hold.
  const personal = wait.find(a => a.personal)?.personal;
  li.classList.toggle('dp-con-personal', !!personal && !off);
  if (off) meta.append(dp.el('span', 'dp-con-tag', null, t('hidden')));
  else if (personal) meta.append(dp.el('span', 'dp-con-tag dp-con-tag-personal', null, t('personal_' + personal)));
  else if (wait.length) meta.append(dp.el('span', 'dp-con-tag dp-con-tag-wait', null, t('pending')));
  const acts = dp.el('span', 'dp-con-row-acts');
  const ids = list => list.map(a => a.id).join(',');
  const act = (what, label, list) => acts.append(dp.el('button', 'dp-con-small', { type: 'button', 'data-dp-con': what + ':' + ids(list), 'aria-label': label + ': ' + r.text }, label));
  if (wait.length) act('approve', t(personal ? 'release' : 'approve'), wait);
  if (off) act('unhide', t('unhide'), all); else act('hide', t('hide'), all.filter(a => !a.hidden));
  if (kind === 'qa' && !off && !wait.length) {
   act(all[0].pinned ? 'unpin' : 'pin', t(all[0].pinned ? 'unpin' : 'pin'), all);
   act(all[0].answered ? 'unanswered' : 'answered', t(all[0].answered ? 'mark_open' : 'mark_answered'), all);
  }
  if (kind === 'wordcloud') {
   /* Groups by meaning can be wrong: choose groups to merge, or split one into its spellings. */
   const forms = new Set(all.map(a => a.value.text)).size;
   if (forms > 1) acts.append(dp.el('button', 'dp-con-small', { type: 'button', 'data-dp-con': 'split', 'data-dp-group': r.group, 'aria-label': t('split') + ': ' + r.text }, t('split')));
   const box = dp.el('input', 'dp-con-pick', { type: 'checkbox', 'data-dp-con': 'pick', 'data-dp-group': r.group, 'aria-label': t('pick') + ': ' + r.text });
   box.checked = !!this.picked?.has(r.group);
   li.append(box);
   li.classList.add('dp-con-pickable');
  }
  li.append(text, meta, acts);
  if (kind === 'wordcloud' && (all.length > 1 || all[0].value.text !== r.text)) {
   const det = dp.el('details', 'dp-con-members');
   det.append(dp.el('summary', '', null, t('members', all.length)));
   const ul = dp.el('ul');
   all.forEach(a => {
    const m = dp.el('li', a.hidden ? 'dp-con-off' : '');
    m.append(dp.el('span', 'dp-con-text', null, a.value.text));
    const mine = dp.el('span', 'dp-con-row-acts');
    const one = (what, label) => mine.append(dp.el('button', 'dp-con-small', { type: 'button', 'data-dp-con': what + ':' + a.id, 'aria-label': label + ': ' + a.value.text }, label));
    if (a.pending && !a.hidden) one('approve', t(a.personal ? 'release' : 'approve'));
    one(a.hidden ? 'unhide' : 'hide', t(a.hidden ? 'unhide' : 'hide'));
    m.append(mine);
    ul.append(m);
   });
   det.open = !!this.openGroups?.has(r.key);
   det.dataset.dpKey = r.key;
   det.ontoggle = () => { (this.openGroups ||= new Set())[det.open ? 'add' : 'delete'](r.key); };
   det.append(ul);
   li.append(det);
  }
  return li;
 }

 /** Merge or split word groups (kept by the server for every screen and the archive). */
 async regroup(body) {
  const polls = this.polls;
  try {
   const res = await fetch(polls.base + 'api/v1/polls/' + encodeURIComponent(this.poll.id) + '/groups',
    { method: 'POST', headers: { ...polls.headers(), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
   this.say(res.ok ? '' : t('failed', res.status));
  } catch (e) { this.say(t('failed', '–')); }
  this.picked.clear();
  this.load();
 }

 async fetchSynthesis() {
  const polls = this.polls;
  try {
   const res = await fetch(polls.base + 'api/v1/polls/' + encodeURIComponent(this.poll.id) + '/synthesis', { headers: polls.headers(), cache: 'no-store' });
   return res.ok ? (await res.json()).clusters : [];
  } catch (e) { return []; }
 }

 /** An open poll's answers clustered with similar ones, largest first, with counts. */
 drawSynthesis(keep) {
  this.synth.forEach(c => {
   const li = dp.el('li', 'dp-con-row dp-con-cluster');
   li.append(dp.el('span', 'dp-con-text', null, c.text), dp.el('span', 'dp-con-meta', null, ''));
   li.lastChild.append(dp.el('b', 'dp-con-n', null, String(c.count)));
   if (c.others.length) li.append(dp.el('span', 'dp-con-others', null, c.others.join(' · ')));
   this.list.append(li);
  });
  this.empty.textContent = this.synth.length ? '' : t('empty');
  this.refocus(keep);
 }

 /** Choice and scale polls: phones see only the tally, and so does the console. */
 drawTally(keep) {
  const { res } = this.state();
  this.filters.textContent = '';
  let rows = res?.options?.map(o => [o.label, o.count ?? o.score]) || res?.distribution?.map(o => [String(o.value), o.count]) || [];
  if (this.table) {  // one table's tally, counted from its answers
   const shown = this.mine().filter(a => !a.hidden && !a.pending), n = {};
   shown.forEach(a => [].concat(a.value.choices ?? a.value.choice ?? a.value.value).forEach(v => { n[v] = (n[v] || 0) + 1; }));
   rows = res?.options?.map(o => [o.label, n[o.id] || 0]) || res?.distribution?.map(o => [String(o.value), n[o.value] || 0]) || [];
  }
  rows.forEach(([label, n]) => {
   const li = dp.el('li', 'dp-con-row');
   li.append(dp.el('span', 'dp-con-text', null, label), dp.el('span', 'dp-con-meta', null, String(n)));
   this.list.append(li);
  });
  this.empty.textContent = rows.length ? '' : t('empty');
  this.refocus(keep);
 }

 /* Drawing replaces the buttons: keep the keyboard focus on the same control. */
 focusKey() { const a = d.activeElement; return this.root.contains(a) && a.dataset?.dpCon || null; }
 refocus(key) {
  if (!key) return;
  const el = [...this.root.querySelectorAll('[data-dp-con]')].find(x => x.dataset.dpCon === key);
  el?.focus();
 }

 say(text) { this.notice.textContent = ''; if (text) this.notice.append(dp.el('span', '', null, text)); }

 async send(path) {
  const status = await this.polls.command(this.poll.id, path);
  if (status !== 200) this.say(t('failed', status || '–'));
  return status === 200;
 }

 async click(e) {
  const b = e.target.closest('[data-dp-con]');
  if (!b || !this.poll) return;
  const [what, arg] = b.dataset.dpCon.split(':');
  if (what === 'filter') { this.filter = arg; return this.drawList(); }
  if (what === 'pick') { this.picked[b.checked ? 'add' : 'delete'](b.dataset.dpGroup); return this.drawList(); }
  if (what === 'merge') return this.regroup({ merge: [...this.picked] });
  if (what === 'split') return this.regroup({ split: b.dataset.dpGroup });
  if (what === 'synthesis') { this.synth = this.synth ? null : await this.fetchSynthesis(); return this.drawList(); }
  if (what === 'share') {
   const status = await this.polls.share(arg, this.poll.id);
   return this.say(status === 200 ? '' : t('failed', status || '–'));
  }
  if (what === 'undo') return this.undo();
  if (what === 'reset') return this.armReset();
  if (['open', 'close', 'reveal', 'conceal'].includes(what)) return this.send(what);
  const ids = what === 'approve-all'
   ? this.answers.filter(a => a.pending && !a.hidden && !a.personal).map(a => a.id) : arg.split(',').map(Number);
  const verb = what === 'approve-all' ? 'approve' : what;
  /* Shown at once; the next list load confirms it from the server. */
  this.answers.forEach(a => {
   if (!ids.includes(a.id)) return;
   if (verb === 'approve') a.pending = false;
   else if (verb === 'pin' || verb === 'unpin') a.pinned = verb === 'pin';
   else if (verb === 'answered' || verb === 'unanswered') a.answered = verb === 'answered';
   else a.hidden = verb === 'hide';
  });
  this.drawList();
  const done = await Promise.all(ids.map(id => this.send('answers/' + id + '/' + verb)));
  if (done.every(Boolean)) this.say('');
  this.load();
 }

 /* Reset is sent only once the undo window has passed: undoing it loses nothing. */
 armReset() {
  this.undo(true);
  const poll = this.poll, r = this.resetting = { poll, left: UNDO_SECONDS };
  const show = () => {
   this.notice.textContent = '';
   const undo = dp.el('button', 'dp-button dp-con-primary', { type: 'button', 'data-dp-con': 'undo' }, t('undo'));
   this.notice.append(dp.el('span', '', null, t('reset_pending', r.left) + ' '), undo);
  };
  show();
  this.notice.querySelector('button').focus();
  r.timer = setInterval(async () => {
   if (--r.left > 0) return this.tickText(r);
   clearInterval(r.timer);
   this.resetting = null;
   const status = await this.polls.command(poll.id, 'reset');
   this.say(status === 200 ? t('reset_done') : t('failed', status || '–'));
   this.load();
  }, 1000);
 }
 tickText(r) { const s = this.notice.querySelector('span'); if (s) s.textContent = t('reset_pending', r.left) + ' '; }

 undo(quiet) {
  const r = this.resetting;
  if (!r) return;
  clearInterval(r.timer);
  this.resetting = null;
  if (!quiet) { this.say(t('undone')); this.actions.querySelector('[data-dp-con="reset"]')?.focus(); }
 }

 destroy() {
  this.undo(true);
  this.off?.forEach(f => f());
 }
});
})();
