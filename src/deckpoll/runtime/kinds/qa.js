/* Q&A: on the phone a question field (with an optional display name) above the audience's
   questions, sorted by votes or newest, each with a vote button; on the slide the top
   questions by votes, pinned ones first, answered ones set apart in a column of their own.
   The presenter pins, answers, hides and approves them in the speaker console. */
(function () {
  'use strict';
  var NAME_KEY = 'deckpoll-qa-name', MAX_NAME = 40;
  var voted = {};     // poll id -> {question id: true}: this phone's votes (loaded once)
  var order = 'top';  // the phone's sort: 'top' (by votes, as the big screen) or 'new'

  function savedName() {
    try { return localStorage.getItem(NAME_KEY) || ''; } catch (e) { return ''; }
  }

  function form(poll, ui) {
    var field = ui.h('textarea', { className: 'jp-text', maxLength: 280, placeholder: ui.t('ask'),
      'aria-labelledby': 'jp-q', autocomplete: 'off', 'data-jp-focus': 'text' });
    ui.described(poll, field);
    field.value = ui.draft(poll) || '';
    var count = ui.h('p', { className: 'jp-count', text: ui.t('chars', field.value.length) });
    field.addEventListener('input', function () {
      ui.draft(poll, field.value);
      count.textContent = ui.t('chars', field.value.length);
    });
    var name = ui.h('input', { type: 'text', className: 'jp-text jp-name', id: 'jp-name', maxLength: MAX_NAME,
      autocomplete: 'nickname', value: savedName() });
    var label = ui.h('label', { className: 'jp-label', htmlFor: 'jp-name', text: ui.t('your_name') });
    return ui.sendForm(poll, [field, count, label, name], function () {
      if (!field.value.trim()) return null;
      var who = name.value.trim();
      try { localStorage.setItem(NAME_KEY, who); } catch (e) { /* this visit only */ }
      return who ? { text: field.value, name: who } : { text: field.value };
    });
  }

  /** Give or take back this phone's vote; the button shows it at once, the server's count
      follows with the next results push. */
  function vote(poll, q, ui) {
    var mine = voted[poll.id] || (voted[poll.id] = {}), on = !mine[q.id];
    if (on) mine[q.id] = true; else delete mine[q.id];
    q.votes += on ? 1 : -1;
    ui.redraw();
    ui.say(ui.t(on ? 'voted' : 'unvoted'));
    ui.call(on ? 'POST' : 'DELETE', 'polls/' + encodeURIComponent(poll.id) + '/answers/' + q.id + '/vote')
      .then(function (r) {
        if (r.status === 200) return;
        if (on) delete mine[q.id]; else mine[q.id] = true;
        ui.say(r.status === 429 ? ui.t('too_fast') : (r.data && r.data.message) || ui.t('error'));
        ui.redraw();
      }, function () { ui.say(ui.t('error')); });
  }

  function loadVotes(poll, ui) {
    voted[poll.id] = voted[poll.id] || {};
    ui.call('GET', 'polls/' + encodeURIComponent(poll.id) + '/votes').then(function (r) {
      if (r.status !== 200) return;
      var mine = voted[poll.id];
      (r.data.votes || []).forEach(function (id) { mine[id] = true; });
      ui.redraw();
    }, function () { delete voted[poll.id]; });
  }

  function question(poll, q, ui, open) {
    var mine = !!(voted[poll.id] || {})[q.id];
    var kids = [ui.h('p', { className: 'jp-qa-text', text: q.text })];
    var facts = [];
    if (q.name) facts.push(ui.h('span', { text: q.name }));
    if (q.pinned) facts.push(ui.h('span', { className: 'jp-qa-pin', text: ui.t('pinned') }));
    if (facts.length) kids.push(ui.h('p', { className: 'jp-qa-by' }, facts));
    var button = open ? ui.h('button', { type: 'button', className: 'jp-vote', 'aria-pressed': String(mine),
      'aria-label': ui.t('vote') + ': ' + q.text + ' (' + q.votes + ')', 'data-jp-focus': 'vote:' + q.id,
      onclick: function () { vote(poll, q, ui); } }, [
      ui.h('span', { 'aria-hidden': 'true', text: '▲' }), ui.h('span', { text: String(q.votes) })])
      : ui.h('span', { className: 'jp-vote jp-vote-done', text: (q.answered ? '✓ ' : '▲ ') + q.votes });
    return ui.h('li', { className: 'jp-qa' + (q.pinned ? ' jp-qa-pinned' : '') }, [button, ui.h('div', null, kids)]);
  }

  function results(res, ui, poll, status) {
    if (!voted[poll.id]) loadVotes(poll, ui);
    var voting = status.status === 'open';  // closed: the counts, no buttons
    var open = (res.questions || []).slice();
    if (order === 'new') open.sort(function (a, b) { return b.id - a.id; });
    var sorts = ui.h('div', { className: 'jp-sorts', role: 'group', 'aria-label': ui.t('sort') },
      [['top', ui.t('sort_top')], ['new', ui.t('sort_new')]].map(function (pair) {
        return ui.h('button', { type: 'button', className: 'jp-tool', text: pair[1], 'aria-pressed': String(order === pair[0]),
          'data-jp-focus': 'sort:' + pair[0], onclick: function () { order = pair[0]; ui.redraw(); } });
      }));
    var kids = [sorts];
    kids.push(open.length ? ui.h('ol', { className: 'jp-qas' }, open.map(function (q) { return question(poll, q, ui, voting); }))
      : ui.h('p', { className: 'jp-note', text: ui.t('no_questions') }));
    if ((res.answered || []).length) {
      kids.push(ui.h('h3', { className: 'jp-qa-head', text: ui.t('answered') }));
      kids.push(ui.h('ol', { className: 'jp-qas jp-qas-done' }, res.answered.map(function (q) { return question(poll, q, ui, false); })));
    }
    return kids;
  }

  // -- the slide -----------------------------------------------------------------------

  function card(q, ui) {
    var li = ui.el('li', 'dp-qa' + (q.pinned ? ' dp-qa-pinned' : '') + (q.answered ? ' dp-qa-done' : ''));
    li.dataset.dpAnswer = q.id;
    li.append(ui.el('span', 'dp-qa-votes', null, String(q.votes)));
    var body = ui.el('div', 'dp-qa-body');
    body.append(ui.el('span', 'dp-qa-text', null, q.text));
    var by = [q.pinned ? ui.t('qa_pinned') : '', q.name || ''].filter(Boolean).join(' · ');
    if (by) body.append(ui.el('span', 'dp-qa-by', null, by));
    li.append(body);
    return li;
  }

  /** As many top questions as fit (they are drawn, then the overflow is taken away and
      counted), the answered ones in a narrower column beside them. */
  function draw(res, ui) {
    var wrap = ui.el('div', 'dp-qa-wrap');
    var main = ui.el('ol', 'dp-qa-list');
    (res.questions || []).slice(0, 12).forEach(function (q) { main.append(card(q, ui)); });
    wrap.append(main);
    if ((res.answered || []).length) {
      var side = ui.el('section', 'dp-qa-side');
      side.append(ui.el('h3', 'dp-qa-side-head', null, ui.t('qa_answered', { n: res.done })));
      var done = ui.el('ol', 'dp-qa-list');
      res.answered.slice(0, 6).forEach(function (q) { done.append(card(q, ui)); });
      side.append(done);
      wrap.append(side);
    }
    if (!(res.questions || []).length) main.append(ui.el('li', 'dp-qa-none', null, ui.t('qa_none')));
    wrap.append(ui.el('p', 'dp-poll-wall-foot dp-qa-more'));
    return wrap;
  }

  function settle(wrap, res, ui) {
    wrap.querySelectorAll('.dp-qa-list').forEach(function (list) {
      var cards = Array.prototype.slice.call(list.children), bottom = list.getBoundingClientRect().bottom;
      var cut = cards.filter(function (c) { return c.getBoundingClientRect().bottom > bottom + 1; });
      cut.forEach(function (c) { c.remove(); });
      if (list.parentNode === wrap) {
        var more = (res.open || 0) - (cards.length - cut.length);
        var foot = wrap.querySelector('.dp-qa-more');
        foot.textContent = more > 0 ? ui.t('more', { n: more }) : '';
        foot.dataset.dpShown = cards.length - cut.length;
      }
    });
  }

  window.deckpollKinds.define('qa', {
    phone: {
      entries: true,
      list: true,
      tab: true,
      limitKey: 'limit_questions',
      form: form,
      heading: function (res, ui) { return ui.t('questions', res.open || 0); },
      results: results
    },
    slide: { draw: draw, settle: settle }
  });
})();
