/* Scale: one radio button per step (min..max, end labels) on the phone; the average and
   the distribution as bars on the slide. */
(function () {
  'use strict';
  window.deckpollKinds.define('scale', {
    phone: {
      form: function (poll, ui) {
        /* The ends' words belong to the end steps ("1 – Not at all"); the row under the
           steps shows them to the eye and is hidden from screen readers. */
        var values = [];
        for (var v = poll.min; v <= poll.max; v++) {
          values.push([String(v), String(v), v === poll.min ? poll.min_label : v === poll.max ? poll.max_label : '']);
        }
        var ends = poll.min_label || poll.max_label ? [ui.h('div', { className: 'jp-ends', 'aria-hidden': 'true' }, [
          ui.h('span', { text: poll.min_label || '' }), ui.h('span', { text: poll.max_label || '' })])] : [];
        return ui.choiceForm(poll, {
          type: 'radio',
          wrap: 'jp-scale',
          values: values,
          after: ends,
          body: function (chosen) { return { value: parseInt(chosen[0], 10) }; }
        });
      },
      draft: function (answer) { return [String(answer.value)]; },
      results: function (res, ui) {
        var kids = [];
        if (res.average != null) kids.push(ui.h('p', { className: 'jp-note', text: ui.t('average', ui.num(res.average)) }));
        (res.distribution || []).forEach(function (d) { kids.push(ui.bar(String(d.value), d.count, d.percent)); });
        return kids;
      }
    },
    slide: {
      draw: function (res, ui) {
        var wrap = ui.el('div', 'dp-poll-scale-results');
        if (res.average != null) {
          var avg = ui.el('p', 'dp-poll-average');
          avg.append(ui.el('span', '', null, ui.t('average') + ' '), ui.el('strong', '', null, ui.num(res.average)));
          wrap.append(avg);
        }
        wrap.append(ui.bars((res.distribution || []).map(function (d) { return [String(d.value), d.count, d.percent]; })));
        return wrap;
      }
    }
  });
})();
