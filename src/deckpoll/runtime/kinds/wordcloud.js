/* Word cloud: a short text field on the phone (several entries) with the words as a list;
   on the slide, the words laid out as an SVG cloud (wordcloud-layout.js), each word once
   however often it was sent. */
(function () {
  'use strict';
  const SVGNS = 'http://www.w3.org/2000/svg';
  const PHONE_MAX = 40, BADGE_W = 170, BADGE_H = 40;

  function svgEl(tag, attrs, text) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  /** The cloud in the drawing area (ui.width x ui.height design px, 1:1 with the viewBox so
      font sizes are design px); `ui.memory` (kept per poll) holds where words were last time.
      Every word the phones can see is drawn, or "+N" says how many are not. */
  function draw(res, ui) {
    const words = res.words || [], W = Math.round(ui.width), H = Math.round(ui.height);
    const svg = svgEl('svg', {
      class: 'dp-poll-cloud', viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img',
      'aria-label': words.map((w) => w.text + ' (' + w.count + ')').join(', ')
    });
    const font = getComputedStyle(ui.box).fontFamily || 'sans-serif';
    /* The corner for "+N" is always kept free, so that the badge coming or going moves nothing. */
    const badge = { x: W - BADGE_W, y: H - BADGE_H, w: BADGE_W, h: BADGE_H };
    const out = window.deckpollCloudLayout.layout(words, font, W, H, ui.memory.cloud = ui.memory.cloud || {}, badge);
    out.placed.forEach((p) => {
      const text = svgEl('text', {
        x: p.x.toFixed(1), y: p.y.toFixed(1), 'font-size': p.size.toFixed(1), 'text-anchor': 'middle',
        class: 'dp-poll-word dp-poll-cloud-' + p.colour, 'data-dp-word': p.word.text
      }, p.label);
      if (p.label !== p.word.text) text.append(svgEl('title', null, p.word.text));
      svg.append(text);
    });
    const missing = Math.max(0, (res.distinct || words.length) - out.placed.length);
    if (missing) {
      svg.append(svgEl('text', {
        x: W - 8, y: H - 10, 'text-anchor': 'end', class: 'dp-poll-more', 'data-dp-missing': missing
      }, ui.t('more', { n: missing })));
    }
    return svg;
  }

  window.deckpollKinds.define('wordcloud', {
    phone: {
      entries: true,
      form: function (poll, ui) { return ui.textForm(poll, { multiline: false }); },
      results: function (res, ui) {
        const words = res.words || [];
        const top = words.length ? words[0].count : 1;
        /* Size shows frequency to the eye; the count is written out too (small to the eye,
           "mod, 3 answers" to a screen reader), so frequency does not rest on size alone. */
        return [ui.h('ul', { className: 'jp-words' }, words.slice(0, PHONE_MAX).map(function (w) {
          return ui.h('li', { style: 'font-size:' + (0.9 + 1.1 * w.count / top).toFixed(2) + 'rem' }, [
            ui.h('span', { text: w.text }),
            ui.h('span', { className: 'jp-n', 'aria-hidden': 'true', text: String(w.count) }),
            ui.h('span', { className: 'jp-sr', text: ', ' + ui.t('answers', w.count) })]);
        }))];
      }
    },
    slide: { draw: draw }
  });
})();
