/* Word-cloud layout for the big screen (used by wordcloud.js; not a kind of its own).
   - A word's size follows its own count only (24 design px for one answer, larger on a log
     scale), so adding or hiding another word never resizes it.
   - Words placed last time keep their place; only new words, and words that grew into a
     neighbour, look for a place: from their old spot, else on a spiral from the centre.
   - No two boxes overlap and none leaves the area; what finds no place is counted, and the
     slide says "+N". When kept places leave only gaps too small for a newcomer although the
     cloud is not full, it is laid out afresh once (a missing word is worse than a move).
   - A spatial grid keeps the collision test cheap (a 120-word update in ~5 ms). */
(function () {
  'use strict';
  var MIN = 24, CELL = 64, PAD = 0.4, LINE = 1.25;

  function sizeOf(count, max) {
    return Math.min(max, MIN + 15 * Math.log2(Math.max(1, count)));
  }

  /** Boxes in a uniform grid of CELL-px buckets: a test looks only at nearby boxes. */
  function Grid(W, H) {
    this.W = W; this.H = H; this.cols = Math.ceil(W / CELL) + 1; this.cells = {};
  }
  Grid.prototype.keys = function (b, fn) {
    var x0 = Math.floor(b.x / CELL), x1 = Math.floor((b.x + b.w) / CELL);
    var y0 = Math.floor(b.y / CELL), y1 = Math.floor((b.y + b.h) / CELL);
    for (var y = y0; y <= y1; y++) for (var x = x0; x <= x1; x++) if (fn(y * this.cols + x)) return true;
    return false;
  };
  Grid.prototype.free = function (b) {
    if (b.x < 0 || b.y < 0 || b.x + b.w > this.W || b.y + b.h > this.H) return false;
    var cells = this.cells;
    return !this.keys(b, function (k) {
      var list = cells[k];
      if (!list) return false;
      for (var i = 0; i < list.length; i++) {
        var o = list[i];
        if (b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h) return true;
      }
      return false;
    });
  };
  Grid.prototype.add = function (b) {
    var cells = this.cells;
    this.keys(b, function (k) { (cells[k] = cells[k] || []).push(b); return false; });
  };

  /** A stable colour per word (1..5) from its text, not from its rank. */
  function colourOf(text) {
    var h = 0;
    for (var i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
    return 1 + (h % 5);
  }

  /** Width of `label` at `size` (cached per memory: measuring is the slow part). */
  function measurer(font, cache) {
    var ctx = document.createElement('canvas').getContext('2d');
    return function (label, size) {
      var key = size.toFixed(1) + '|' + label;
      if (!(key in cache)) {
        ctx.font = '700 ' + size.toFixed(1) + 'px ' + font;
        cache[key] = ctx.measureText(label).width;
      }
      return cache[key];
    };
  }

  /** words: [{text, count}] by count, largest first. memory: kept between calls for one poll.
      reserve: a box kept free (the "+N" badge). Returns {placed: [...], missing: n}. */
  function layout(words, font, W, H, memory, reserve) {
    if (memory.size !== W + 'x' + H || memory.font !== font) {
      memory.size = W + 'x' + H; memory.font = font; memory.pos = new Map(); memory.widths = {}; memory.k = 0;
    }
    var width = measurer(font, memory.widths), grid = new Grid(W, H), max = Math.max(MIN, Math.min(110, H / 4));
    /* How much a count enlarges a word (k x the log scale above the minimum): as much as
       lets the words cover ~40 % of the area (a spiral packs loosely). k is kept while the
       words cover 20-55 % so that an update resizes nothing; past that, a new layout. */
    var areaAt = function (k) {
      return words.reduce(function (sum, w) {
        var size = Math.min(max, MIN + k * (sizeOf(w.count, max) - MIN));
        return sum + (width(w.text, 100) / 100 + PAD) * size * size * LINE;
      }, 0);
    };
    if (!memory.k || areaAt(memory.k) > 0.55 * W * H || (memory.k < 1.8 && areaAt(memory.k) < 0.2 * W * H)) {
      var k = 1.8;
      while (k > 0.35 && areaAt(k) > 0.4 * W * H) k -= 0.1;  // frequent words still stand out
      k = Math.round(k * 10) / 10;
      if (k !== memory.k) { memory.k = k; memory.pos = new Map(); }
    }
    var k0 = memory.k, scaled = function (count) { return Math.min(max, MIN + k0 * (sizeOf(count, max) - MIN)); };
    var previous = memory.pos, next = new Map(), placed = [], later = [];
    if (reserve) grid.add(reserve);
    function boxAt(cx, cy, w, size) { var h = size * LINE; return { x: cx - w / 2, y: cy - h / 2, w: w, h: h }; }
    function keep(word, label, size, w, cx, cy) {
      grid.add(boxAt(cx, cy, w, size));
      var p = { word: word, label: label, size: size, x: cx, cy: cy, y: cy + size * 0.35, colour: colourOf(word.text) };
      next.set(word.text, p);
      placed.push(p);
    }
    /* Pass 1: words that were on screen stay where they were, at their (new) size. */
    words.forEach(function (word) {
      var was = previous.get(word.text), size = scaled(word.count);
      if (!was) { later.push(word); return; }
      var w = width(was.label, size) + size * PAD;
      if (grid.free(boxAt(was.x, was.cy, w, size))) keep(word, was.label, size, w, was.x, was.cy);
      else later.push(word);
    });
    /* Pass 2: the others, largest first, near their old spot or on a spiral from the centre;
       a word that does not fit shrinks down to the minimum, a too-long one gets an ellipsis. */
    var missing = 0, stretch = Math.max(1, W / H);
    var failed = [];  // [w, h] of boxes that found no place: a box at least as big will not
    function hopeless(w, h) { return failed.some(function (f) { return w >= f[0] && h >= f[1]; }); }
    function spiral(ox, oy, w, size) {
      var h = size * LINE;
      if (hopeless(w, h)) return null;
      /* Archimedean spiral, steps of about 7 px along it, wider than tall like the area,
         out to the farthest corner seen from its start. */
      var reach = Math.hypot(Math.max(ox, W - ox) / stretch, Math.max(oy, H - oy)) + 8;
      for (var a = 0, r = 0; r < reach; a += Math.min(0.35, 7 / Math.max(r, 1))) {
        r = 2.2 * a;
        var cx = ox + r * Math.cos(a) * stretch, cy = oy + r * Math.sin(a);
        if (grid.free(boxAt(cx, cy, w, size))) return [cx, cy];
      }
      failed.push([w, h]);
      return null;
    }
    later.forEach(function (word) {
      var was = previous.get(word.text), label = word.text, size = scaled(word.count);
      for (;;) {
        var w = width(label, size) + size * PAD;
        if (w > W) {
          size = Math.max(MIN, size * W / w);
          while (label.length > 2 && (w = width(label, size) + size * PAD) > W) label = label.slice(0, -2) + '…';
        }
        var spot = spiral(was ? was.x : W / 2, was ? was.cy : H / 2, w, size);
        if (spot) { keep(word, label, size, w, spot[0], spot[1]); return; }
        if (size <= MIN) break;
        size = Math.max(MIN, size * 0.8);
      }
      missing += 1;
    });
    /* Words that found no place forget theirs: they come back fresh when there is room. */
    memory.pos = next;
    /* Kept places can leave gaps too small for a newcomer: rather than leave a word out,
       lay the cloud out afresh (every word moves once) when that places more. */
    var roomy = areaAt(k0) <= 0.4 * W * H;  // a gap problem, not a full cloud
    if (missing && previous.size && !memory.fresh && roomy && memory.triedAt !== words.length) {
      memory.triedAt = words.length;  // once per word count: a full cloud stays calm
      var kept = memory.pos;
      memory.pos = new Map();
      memory.fresh = true;
      var again = layout(words, font, W, H, memory, reserve);
      memory.fresh = false;
      if (again.missing < missing) return again;
      memory.pos = kept;
    }
    return { placed: placed, missing: missing };
  }

  window.deckpollCloudLayout = { layout: layout, MIN: MIN };
})();
