/* Leaderboard: the top players by total points over the revealed quizzes, ties sharing a
   place. Phones set an optional nickname here (and under a quiz's results); the presenter
   moderates nicknames like answers. */
(function () {
  'use strict';
  var MAX = 24;
  /* The form is drawn again with every results push: what was typed and said stays here. */
  var typed = null, said = '';

  function boardOf(ui) {
    return ui.deckPolls().filter(function (p) { return p.kind === 'leaderboard'; })[0] || null;
  }

  /** A nickname form that sends to the deck's leaderboard poll (null without one). */
  function nickname(ui) {
    var board = boardOf(ui);
    if (!board) return null;
    var me = ui.mine(board), had = me && me.answers && me.answers[0] ? me.answers[0].nickname : '';
    var input = ui.h('input', { type: 'text', className: 'jp-text', id: 'jp-nick', maxLength: MAX,
      autocomplete: 'nickname', value: typed != null ? typed : had || '', 'data-jp-focus': 'nick' });
    input.addEventListener('input', function () { typed = input.value; });
    var note = ui.h('p', { className: 'jp-note', text: said });
    var button = ui.h('button', { type: 'submit', className: 'jp-tool', text: ui.t('save') });
    return ui.h('form', { className: 'jp-form jp-nick', onsubmit: function (ev) {
      ev.preventDefault();
      var name = input.value.trim();
      if (!name) return;
      ui.call('POST', 'polls/' + encodeURIComponent(board.id) + '/answers', { nickname: name }).then(function (r) {
        typed = name;
        said = r.status === 200 ? ui.t('nick_saved') : (r.data && r.data.message) || ui.t('error');
        ui.say(said);
        ui.redraw();  // the form may have been drawn anew meanwhile (a results push)
      }, function () { said = ui.t('error'); ui.say(said); ui.redraw(); });
    } }, [ui.h('label', { className: 'jp-label', htmlFor: 'jp-nick', text: ui.t('nickname') }), input, button, note]);
  }

  function name(row, t) { return row.name || t(row.tag); }

  window.deckpollKinds.define('leaderboard', {
    phone: {
      list: true,
      nickname: nickname,
      heading: function (res, ui) { return ui.t('leaderboard'); },
      form: function (poll, ui) {
        var input = ui.h('input', { type: 'text', className: 'jp-text', maxLength: MAX, autocomplete: 'nickname',
          'aria-labelledby': 'jp-q', placeholder: ui.t('nickname'), 'data-jp-focus': 'text', value: ui.draft(poll) || '' });
        input.addEventListener('input', function () { ui.draft(poll, input.value); });
        return ui.sendForm(poll, [input], function () { return input.value.trim() ? { nickname: input.value } : null; });
      },
      draft: function (answer) { return answer.nickname || ''; },
      results: function (res, ui) {
        var rows = res.standings || [];
        if (!rows.length) return [ui.h('p', { className: 'jp-note', text: ui.t('no_scores') })];
        return [ui.h('ol', { className: 'jp-ranked' }, rows.map(function (r) {
          return ui.h('li', { className: 'jp-row jp-row-top' }, [
            ui.h('span', { text: r.place + '. ' + name(r, function (tag) { return ui.t('player', tag); }) }),
            ui.h('span', { text: ui.t('points', r.points) })]);
        }))];
      }
    },
    slide: {
      has: function (res) { return !!(res.standings && res.standings.length); },
      draw: function (res, ui) {
        var list = ui.el('ol', 'dp-board');
        (res.standings || []).forEach(function (r) {
          var li = ui.el('li', 'dp-board-row' + (r.place <= 3 ? ' dp-board-top' : ''));
          li.append(ui.el('span', 'dp-board-place', null, String(r.place)),
            ui.el('span', 'dp-board-name', null, name(r, function (tag) { return ui.t('player', { x: tag }); })),
            ui.el('span', 'dp-board-points', null, ui.t('lb_points', { n: r.points })));
          list.append(li);
        });
        return list;
      }
    }
  });
})();
