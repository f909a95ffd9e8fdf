/* Quiz: radio buttons with a countdown on the phone (the first answer counts); on the slide
   the answers per option and the seconds left; once the presenter reveals it, the correct
   option is marked on the deck and on the phones, which say what the voter earned.
   Before the reveal no page, manifest or event holds the correct option (the server keeps it).
   Scoring (documented in docs/polls.md, computed on the server for the leaderboard):
   round(points × (1 − t / (2 × time_limit))) for a correct answer after t seconds, else 0. */
(function () {
  'use strict';

  /** Seconds left by this device's clock: the server's `elapsed` when the state was seen. */
  function left(poll, state) {
    if (state.status !== 'open' || state.elapsed == null || state.revealed) return 0;
    var end = (state.seenAt || Date.now()) + ((poll.time_limit || 20) - state.elapsed) * 1000;
    return Math.max(0, Math.ceil((end - Date.now()) / 1000));
  }

  /** Tick every second while `el` is in the page; `done` runs once when the time is up. */
  function countdown(el, poll, state, say, done) {
    var timer = setInterval(tick, 1000), shown = false;
    function tick() {
      shown = shown || el.isConnected;  // drawn before it is put in the page
      if (shown && !el.isConnected) { clearInterval(timer); return; }
      var n = left(poll, state);
      el.textContent = say(n);
      if (n <= 0) { clearInterval(timer); timer = null; if (done) done(); }
    }
    tick();
    return timer;
  }

  function points(poll, answer) {
    var limit = poll.time_limit || 20, t = Math.min(Math.max((answer.ms || 0) / 1000, 0), limit);
    return Math.round((poll.points || 1000) * (1 - t / (2 * limit)));
  }

  function nickname(ui) {
    var board = window.deckpollKinds.get('leaderboard');
    return board && board.phone.nickname ? board.phone.nickname(ui) : null;
  }

  function form(poll, ui) {
    var state = ui.status(poll);
    var clock = ui.h('p', { className: 'jp-note jp-clock', role: 'timer', 'aria-live': 'off' });
    var f = ui.choiceForm(poll, {
      type: 'radio',
      before: [clock],
      values: (poll.options || []).map(function (o) { return [o.id, o.label]; }),
      body: function (chosen) { return { choice: chosen[0] }; }
    });
    countdown(clock, poll, state, function (n) { return n > 0 ? ui.t('time_left', n) : ui.t('time_up'); }, function () {
      Array.prototype.forEach.call(f.querySelectorAll('input, button'), function (c) { c.disabled = true; });
    });
    return f;
  }

  function results(res, ui, poll) {
    var kids = [], me = ui.mine(poll), mine = me && me.answers && me.answers[0];
    var right = res.correct || null;
    if (right && mine) {
      var ok = right.indexOf(mine.choice) >= 0;
      kids.push(ui.h('p', { className: ok ? 'jp-thanks' : 'jp-note', text: ok ? ui.t('right_points', points(poll, mine)) : ui.t('wrong') }));
    }
    (res.options || []).forEach(function (o) {
      var label = right && right.indexOf(o.id) >= 0 ? '✓ ' + o.label + ' (' + ui.t('right_answer') + ')' : o.label;
      kids.push(ui.bar(label, o.count, o.percent));
    });
    var nick = nickname(ui);
    if (nick) kids.push(nick);
    return kids;
  }

  function draw(res, ui) {
    var wrap = ui.el('div', 'dp-poll-scale-results dp-quiz');
    var right = res.correct || null, state = ui.state || {};
    var head = ui.el('p', 'dp-poll-average dp-quiz-clock');
    if (right) head.append(ui.el('strong', '', null, ui.t('quiz_right', { n: res.right || 0 })));
    wrap.append(head);
    var bars = ui.bars((res.options || []).map(function (o) {
      return [(right && right.indexOf(o.id) >= 0 ? '✓ ' : '') + o.label, o.count, o.percent];
    }));
    if (right) {
      Array.prototype.forEach.call(bars.children, function (li, i) {
        li.classList.toggle('dp-quiz-wrong', right.indexOf(res.options[i].id) < 0);
      });
    }
    wrap.append(bars);
    ui.memory.clock = right ? null : { head: head, poll: { time_limit: res.time_limit }, state: state };
    return wrap;
  }

  function settle(wrap, res, ui) {
    var c = ui.memory.clock;
    if (!c || c.state.status !== 'open') return;
    var span = ui.el('strong');
    c.head.append(span);
    ui.memory.cycle = countdown(span, c.poll, c.state, function (n) { return ui.t('time_left', { n: n }); });
  }

  window.deckpollKinds.define('quiz', {
    phone: {
      final: true,  // the first answer counts
      form: form,
      draft: function (answer) { return [String(answer.choice)]; },
      results: results
    },
    slide: { draw: draw, settle: settle }
  });
})();
