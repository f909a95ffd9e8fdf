/* Open text: a text area on the phone (several entries); on the slide a wall of cards, newest
   first, that never clips: a card's text shrinks to a readable floor and then ends with an
   ellipsis (the full text is in the speaker console), and what does not fit on one screen
   comes in pages that cycle ("1/4"); with reduced motion the wall stays on the newest page
   and says "+N more". Hiding answers is the console's job: the slide shows content only. */
(function () {
  'use strict';
  var PHONE_MAX = 30, CARD_W = 340, CARD_H = 118, GAP = 16, FOOT = 40, CYCLE_MS = 9000;
  var SIZES = [28, 26, 24];  // design px; 24 is the floor (read from the back of a room)

  /** One text size for the whole page (a calm wall): the largest at which every card's text
      fits. A text too long even at the floor keeps the floor size and ends with an ellipsis. */
  function fit(list) {
    var cards = Array.prototype.slice.call(list.children), floor = SIZES[SIZES.length - 1];
    var fits = function (card) { return card.firstChild.scrollHeight <= card.clientHeight - 24; };
    list.style.setProperty('--dp-wall-size', floor + 'px');
    var long = cards.filter(function (card) { return !fits(card); });
    long.forEach(function (card) {
      var text = card.firstChild;
      text.style.fontSize = floor + 'px';
      text.classList.add('dp-poll-entry-clamped');
      text.style.webkitLineClamp = String(Math.max(1, Math.floor((card.clientHeight - 24) / (floor * 1.3))));
    });
    for (var i = 0; i < SIZES.length - 1; i++) {
      list.style.setProperty('--dp-wall-size', SIZES[i] + 'px');
      if (cards.every(fits)) return;
    }
    list.style.setProperty('--dp-wall-size', floor + 'px');
  }

  function draw(res, ui) {
    var entries = res.entries || [], memory = ui.memory;
    var cols = Math.max(1, Math.floor((ui.width + GAP) / (CARD_W + GAP)));
    var rows = Math.max(1, Math.floor((ui.height - FOOT + GAP) / (CARD_H + GAP)));
    var per = cols * rows, pages = Math.max(1, Math.ceil(entries.length / per));
    var cycling = pages > 1 && !ui.reducedMotion;
    var wrap = ui.el('div', 'dp-poll-wall-wrap');
    var list = ui.el('ul', 'dp-poll-wall');
    list.style.gridTemplateColumns = 'repeat(' + cols + ', minmax(0, 1fr))';
    list.style.gridTemplateRows = 'repeat(' + rows + ', minmax(0, 1fr))';
    var foot = ui.el('p', 'dp-poll-wall-foot');
    wrap.append(list, foot);
    memory.wall = {
      list: list,
      cycling: cycling,
      show: function (page) {
        memory.page = page = cycling ? page % pages : 0;
        list.textContent = '';
        entries.slice(page * per, page * per + per).forEach(function (e) {
          var li = ui.el('li', 'dp-poll-entry');
          li.dataset.dpAnswer = e.id;
          li.append(ui.el('span', 'dp-poll-entry-text', null, e.text));
          list.append(li);
        });
        if (cycling) foot.textContent = ui.t('page', { i: page + 1, n: pages });
        else foot.textContent = entries.length > per ? ui.t('more', { n: entries.length - per }) : '';
        foot.dataset.dpShown = Math.min(per, entries.length - page * per);
        if (list.isConnected) fit(list);
      }
    };
    memory.wall.show(memory.page || 0);
    return wrap;
  }

  /** In the page now: fit each card's text, and cycle the pages. */
  function settle(wrap, res, ui) {
    var memory = ui.memory, wall = memory.wall;
    fit(wall.list);
    if (!wall.cycling) return;
    memory.cycle = setInterval(function () {
      if (!wrap.isConnected) return clearInterval(memory.cycle);
      wall.list.classList.remove('dp-poll-wall-turn');
      void wall.list.offsetWidth;  // restart the fade-in
      wall.list.classList.add('dp-poll-wall-turn');
      wall.show((memory.page || 0) + 1);
    }, CYCLE_MS);
  }

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
    slide: { draw: draw, settle: settle }
  });
})();
