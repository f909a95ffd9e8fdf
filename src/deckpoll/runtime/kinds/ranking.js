/* Ranking: on the phone the options as an ordered list that the voter rearranges with
   "move up" / "move down" buttons (keyboard and screen reader alike, no dragging needed);
   with `rank: k` only the top k count. On the slide: bars best first, by Borda points, with
   the average rank. */
(function () {
  'use strict';

  /** The voter's full order: what was chosen before, then the options not in it. */
  function fullOrder(poll, chosen) {
    var ids = (poll.options || []).map(function (o) { return o.id; });
    var order = (chosen || []).filter(function (id) { return ids.indexOf(id) >= 0; });
    ids.forEach(function (id) { if (order.indexOf(id) < 0) order.push(id); });
    return order;
  }

  function form(poll, ui) {
    var labels = {};
    (poll.options || []).forEach(function (o) { labels[o.id] = o.label; });
    var order = fullOrder(poll, ui.draft(poll));
    var k = poll.rank || order.length;
    ui.draft(poll, order);
    var hint = ui.h('p', { className: 'jp-note', id: 'jp-hint',
      text: k < order.length ? ui.t('rank_top', k) : ui.t('rank_all') });
    var list = ui.h('ol', { className: 'jp-rank', 'aria-labelledby': 'jp-q', 'aria-describedby': 'jp-hint' });

    function item(id, at) {
      var label = labels[id], out = at >= k;
      var button = function (dir, glyph) {
        var to = at + dir, off = to < 0 || to >= order.length;
        return ui.h('button', { type: 'button', className: 'jp-move', text: glyph, disabled: off,
          'aria-label': ui.t(dir < 0 ? 'move_up' : 'move_down') + ': ' + label,
          'data-jp-focus': (dir < 0 ? 'up:' : 'down:') + id,
          onclick: function () { move(id, dir); } });
      };
      var li = ui.h('li', { className: 'jp-rank-item' + (out ? ' jp-rank-out' : ''), tabIndex: -1,
        'data-jp-focus': 'opt:' + id }, [
        ui.h('span', { className: 'jp-rank-n', 'aria-hidden': 'true', text: out ? '–' : String(at + 1) }),
        ui.h('span', { className: 'jp-rank-label', text: label }),
        out ? ui.h('span', { className: 'jp-sr', text: ' (' + ui.t('rank_out') + ')' }) : null,
        button(-1, '↑'), button(1, '↓')]);
      ui.described(poll, li);
      return li;
    }

    function draw() {
      list.textContent = '';
      order.forEach(function (id, at) { list.appendChild(item(id, at)); });
    }

    /** Move one option a place; focus stays on the button pressed (or its twin at an end). */
    function move(id, dir) {
      var at = order.indexOf(id), to = at + dir;
      if (to < 0 || to >= order.length) return;
      order.splice(at, 1);
      order.splice(to, 0, id);
      ui.draft(poll, order);
      draw();
      var again = list.querySelector('[data-jp-focus="' + (dir < 0 ? 'up:' : 'down:') + CSS.escape(id) + '"]');
      if (again.disabled) again = list.querySelector('[data-jp-focus="' + (dir < 0 ? 'down:' : 'up:') + CSS.escape(id) + '"]');
      again.focus();
      ui.say(labels[id] + ': ' + (to < k ? ui.t('rank_place', to + 1) : ui.t('rank_out')));
    }

    draw();
    return ui.sendForm(poll, [hint, list], function () { return { order: order.slice(0, k) }; });
  }

  /** "230 points · average rank 1.25" (the phone) or "230 p · avg 1.25" (the slide's
      narrow column), the average in the page's language's number format. */
  function valueText(o, say) {
    var avg = o.average_rank == null ? '–' : window.deckpollKinds.number(o.average_rank);
    return say(o.score, avg);
  }

  window.deckpollKinds.define('ranking', {
    phone: {
      form: form,
      draft: function (answer) { return (answer.order || []).slice(); },
      results: function (res, ui) {
        return [ui.h('ol', { className: 'jp-ranked' }, (res.options || []).map(function (o, i) {
          return ui.h('li', { className: 'jp-row' }, [
            ui.h('div', { className: 'jp-row-top' }, [ui.h('span', { text: (i + 1) + '. ' + o.label }),
              ui.h('span', { text: valueText(o, function (n, avg) {
                return ui.t('points', n) + ' · ' + ui.t('avg_rank', avg);
              }) })]),
            ui.h('div', { className: 'jp-track' }, [ui.h('div', { className: 'jp-fill', style: 'width:' + o.percent + '%' })])
          ]);
        }))];
      }
    },
    slide: {
      draw: function (res, ui) {
        return ui.bars((res.options || []).map(function (o, i) {
          return [(i + 1) + '. ' + o.label, o.score, o.percent, valueText(o, function (n, avg) {
            return ui.t('rank_value', { n: n, x: avg });
          })];
        }));
      }
    }
  });
})();
