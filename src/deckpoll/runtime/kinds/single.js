/* Single choice: radio buttons on the phone, one bar per option on the slide. */
(function () {
  'use strict';
  window.deckpollKinds.define('single', {
    phone: {
      form: function (poll, ui) {
        return ui.choiceForm(poll, {
          type: 'radio',
          values: (poll.options || []).map(function (o) { return [o.id, o.label]; }),
          body: function (chosen) { return { choice: chosen[0] }; }
        });
      },
      draft: function (answer) { return [String(answer.choice)]; },
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
