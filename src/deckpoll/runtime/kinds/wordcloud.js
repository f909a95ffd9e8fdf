/* Word cloud: a short text field on the phone (several entries) with the words as a list;
   on the slide, the words laid out as an SVG cloud, each word once however often it was sent. */
(function () {
  'use strict';
  const SVGNS = 'http://www.w3.org/2000/svg';
  const MAX_WORDS = 80, PHONE_MAX = 40;

  /** Spiral placement with bounding-box collision: no two words overlap. Sizes are CSS px
      of the slide's design size, so the smallest word stays legible from the back. */
  function layoutCloud(words, font, W, H, previous) {
    const ctx = document.createElement('canvas').getContext('2d');
    const top = words.length ? words[0].count : 1;
    const low = words.length ? words[words.length - 1].count : 1;
    const small = 26, big = Math.max(small, Math.min(110, H / 3.2));
    const placed = [], boxes = [];
    const fits = (b) => b.x >= 0 && b.y >= 0 && b.x + b.w <= W && b.y + b.h <= H;
    const hits = (b) => boxes.some((o) => b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h);
    const stretch = Math.max(1, W / H);
    const list = words.slice(0, MAX_WORDS);
    let sizes = list.map((w) => (top === low ? (small + big) / 2 : small + (big - small) * Math.sqrt((w.count - low) / (top - low))));
    /* Shrink everything together when the words would cover more than ~40 % of the space:
       a spiral packs loosely, and a dropped word is worse than a smaller one. */
    const area = list.reduce((sum, w, i) => {
      ctx.font = '700 ' + sizes[i] + 'px ' + font;
      return sum + (ctx.measureText(w.text).width + sizes[i] * 0.4) * sizes[i] * 1.25;
    }, 0);
    if (area > 0.4 * W * H) {
      const k = Math.sqrt(0.4 * W * H / area);
      sizes = sizes.map((x) => Math.max(small * 0.75, x * k));
    }
    list.forEach((word, i) => {
      let size = sizes[i], label = word.text;
      for (let tries = 0; tries < 3; tries++, size = Math.max(small * 0.7, size * 0.85)) {
        ctx.font = '700 ' + size + 'px ' + font;
        let w = ctx.measureText(label).width + size * 0.4;
        /* Too wide for the box (a long entry): smaller, and at the smallest size shortened
           with an ellipsis, never dropped. */
        if (w > W) {
          size = Math.max(small * 0.7, size * W / w);
          ctx.font = '700 ' + size + 'px ' + font;
          while (label.length > 1 && (w = ctx.measureText(label).width + size * 0.4) > W) {
            label = label.slice(0, -2) + '…';
          }
        }
        const h = size * 1.25;
        /* Where the word was last time, if it still fits there: the cloud stays calm. */
        const was = previous && previous.get(word.text);
        if (was) {
          const b = { x: was.x - w / 2, y: was.y - h / 2, w, h };
          if (fits(b) && !hits(b)) {
            boxes.push(b);
            placed.push({ word, label, size, x: was.x, y: was.y + size * 0.35, cy: was.y, colour: was.colour });
            return;
          }
        }
        for (let a = 0, r = 0; r < W; a += 0.3) {
          r = 3 * a;
          const cx = W / 2 + r * Math.cos(a) * stretch, cy = H / 2 + r * Math.sin(a);
          const b = { x: cx - w / 2, y: cy - h / 2, w, h };
          if (!fits(b) || hits(b)) continue;
          boxes.push(b);
          placed.push({ word, label, size, x: cx, y: cy + size * 0.35, cy, colour: was ? was.colour : 1 + (i % 5) });
          return;
        }
      }
    });
    return placed;
  }

  /** The cloud in `ui.box`; `ui.memory` (kept per poll) holds where words were last time. */
  function draw(res, ui) {
    const words = res.words || [];
    const box = ui.box, memory = ui.memory;
    /* The space left under the count line, in design px (clientWidth ignores the slide's
       scale transform); a hidden slide has none, so assume the poll layout's usual size. */
    const W = box.clientWidth || 760, H = Math.max(240, (box.clientHeight || 420) - 60);
    const svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('class', 'dp-poll-cloud');
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', words.map((w) => w.text + ' (' + w.count + ')').join(', '));
    const font = getComputedStyle(box).fontFamily || 'sans-serif';
    if (memory.cloudSize !== W + 'x' + H) memory.cloudPos = null;  // another box: lay out afresh
    const placed = layoutCloud(words, font, W, H, memory.cloudPos);
    memory.cloudSize = W + 'x' + H;
    memory.cloudPos = new Map(placed.map((p) => [p.word.text, { x: p.x, y: p.cy, colour: p.colour }]));
    placed.forEach((p) => {
      const text = document.createElementNS(SVGNS, 'text');
      text.setAttribute('x', p.x.toFixed(1));
      text.setAttribute('y', p.y.toFixed(1));
      text.setAttribute('font-size', p.size.toFixed(1));
      text.setAttribute('text-anchor', 'middle');
      text.setAttribute('class', 'dp-poll-word dp-poll-cloud-' + p.colour);
      text.textContent = p.label;
      if (p.label !== p.word.text) {
        const title = document.createElementNS(SVGNS, 'title');
        title.textContent = p.word.text;
        text.append(title);
      }
      svg.append(text);
    });
    return svg;
  }

  window.deckpollKinds.define('wordcloud', {
    phone: {
      entries: true,
      form: function (poll, ui) { return ui.textForm(poll, { multiline: false }); },
      results: function (res, ui) {
        const words = res.words || [];
        const top = words.length ? words[0].count : 1;
        return [ui.h('ul', { className: 'jp-words' }, words.slice(0, PHONE_MAX).map(function (w) {
          return ui.h('li', { text: w.text, style: 'font-size:' + (0.9 + 1.1 * w.count / top).toFixed(2) + 'rem' });
        }))];
      }
    },
    slide: { draw: draw }
  });
})();
