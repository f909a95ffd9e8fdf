/* Multiple choice: checkboxes (at most max_choices) on the phone, one bar per option on the slide. */
(function () {
  'use strict';
  window.deckpollKinds.define('multiple', {
    phone: {
      form: function (poll, ui) {
        var max = poll.max_choices || 0;
        return ui.choiceForm(poll, {
          type: 'checkbox',
          max: max,
          before: max ? [ui.h('p', { className: 'jp-note', text: ui.t('up_to', max) })] : [],
          values: (poll.options || []).map(function (o) { return [o.id, o.label]; }),
          body: function (chosen) { return { choices: chosen }; }
        });
      },
      draft: function (answer) { return (answer.choices || []).slice(); },
      results: function (res, ui) {
        return (res.options || []).map(function (o) { return ui.bar(o.label, o.count, o.percent); });
      }
    },
    slide: {
      draw: function (res, ui) {
        return ui.bars((res.options || []).map(function (o) { return [o.label, o.count, o.percent]; }));
      }
    }
  });
})();
