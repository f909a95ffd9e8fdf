/* Open text: a text area on the phone (several entries); the answer wall on the slide
   (moderated from the speaker console, never on the projected slide). */
(function () {
  'use strict';
  var WALL_MAX = 24, PHONE_MAX = 30;
  window.deckpollKinds.define('open', {
    phone: {
      entries: true,
      form: function (poll, ui) { return ui.textForm(poll, { multiline: true }); },
      results: function (res, ui) {
        return [ui.h('ul', { className: 'jp-wall' }, (res.entries || []).slice(0, PHONE_MAX).map(function (e) {
          return ui.h('li', { text: e.text });
        }))];
      }
    },
    slide: {
      draw: function (res, ui) {
        var list = ui.el('ul', 'dp-poll-wall');
        (res.entries || []).slice(0, WALL_MAX).forEach(function (e) {
          var li = ui.el('li', 'dp-poll-entry');
          li.dataset.dpAnswer = e.id;
          li.append(ui.el('span', 'dp-poll-entry-text', null, e.text));
          list.append(li);
        });
        return list;
      }
    }
  });
})();
