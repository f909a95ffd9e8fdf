/* deckpoll preview: apply rebuilt slides pushed over SSE without a reload; show build errors
   over the last good deck. Injected by `deckpoll preview` only, never part of a built deck
   (templates/preview.html; templates/preview-error.html when nothing has built yet). */
(() => {
const d = document, root = d.documentElement, dp = window.deckpoll;
const opts = JSON.parse(d.getElementById('dp-preview').textContent);
let epoch = opts.epoch, overlay = d.querySelector('.dp-preview-errors');
const mark = () => {
  root.dataset.dpPreviewEpoch = epoch;
  window.deckpollPreview = { epoch, at: Date.now() };
  dp && dp.emit('preview', { epoch });
};
const showErrors = lines => {
  if (!overlay) {
    overlay = d.createElement('div');
    overlay.className = 'dp-preview-errors';
    overlay.setAttribute('role', 'alert');
    overlay.style.cssText = 'position:fixed;inset:auto 0 0 0;z-index:2147483647;max-height:60vh;overflow:auto;'
      + 'margin:0;padding:1em 1.25em;background:#2b0a0a;color:#fff;font:20px/1.5 ui-monospace,monospace;'
      + 'white-space:pre-wrap;border-top:4px solid #e5484d';
    d.body.append(overlay);
  }
  overlay.textContent = lines.join('\n');
};
/* Go to the slide that holds the first error (the last good build's slide of that number,
   or its last slide when the broken save added the slide). */
const showErrorSlide = slide => {
  if (!opts.follow || !dp || !slide) return;
  const n = Math.min(slide, dp.count);
  if (dp.state().index !== n) dp.go(n, 0);
};
const hideErrors = () => { if (overlay) { overlay.remove(); overlay = null; } };
/* Swap a slide's content and attributes in place: the runtime keeps its element references. */
const swap = (index, html) => {
  const old = dp.slide(index);
  if (!old) return false;
  const t = d.createElement('template');
  t.innerHTML = html;
  const fresh = t.content.firstElementChild;
  for (const a of [...old.attributes]) if (!fresh.hasAttribute(a.name)) old.removeAttribute(a.name);
  for (const a of fresh.attributes) if (a.name !== 'class') old.setAttribute(a.name, a.value);
  const current = old.classList.contains('dp-current');
  old.className = fresh.className;
  old.classList.toggle('dp-current', current);
  old.replaceChildren(...fresh.childNodes);
  return true;
};
const update = m => {
  hideErrors();
  if (!dp || !m.changes.every(c => dp.slide(c.index))) return location.reload();
  for (const c of m.changes) swap(c.index, c.html);
  epoch = m.epoch;
  const s = dp.state(), shown = m.changes.some(c => c.index === s.index);
  if (opts.follow && m.changes.length && !shown) dp.go(m.changes[0].index, 0);
  else {
    const f = Math.min(s.fragment, dp.fragments(s.index));
    dp.showFragments(dp.slide(s.index), f);
    if (f !== s.fragment) dp.go(s.index, f, { replace: true });
  }
  mark();
};
/* Rehearsal: `r` on a poll slide fills its poll with simulated answers (preview only). */
if (dp && dp.keys) {
  dp.keys.r = 'rehearse';
  dp.rehearse = () => {
    const slide = dp.slide(dp.state().index), poll = slide && slide.dataset.dpPoll;
    if (!poll) return;
    fetch(`${opts.rehearse}/${encodeURIComponent(poll)}?count=${opts.rehearse_count}`, {
      method: 'POST', headers: { Authorization: 'Bearer ' + opts.key }
    }).then(r => r.json()).then(m => dp.emit('rehearsed', m)).catch(e => console.error(e));
  };
}
const es = new EventSource(opts.events);
/* Every (re)connect starts with a snapshot: {epoch, errors}. */
es.addEventListener('snapshot', e => {
  const m = JSON.parse(e.data);
  if (m.epoch !== epoch) return location.reload();
  if (m.errors && m.errors.length) { showErrors(m.errors); showErrorSlide(m.slide); }
  else hideErrors();
});
es.addEventListener('update', e => update(JSON.parse(e.data)));
es.addEventListener('reload', () => location.reload());
es.addEventListener('errors', e => {
  const m = JSON.parse(e.data);
  showErrors(m.errors);
  showErrorSlide(m.slide);
});
mark();
})();
