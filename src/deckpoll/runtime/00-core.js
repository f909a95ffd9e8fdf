/* deckpoll runtime core: config, strings, state (slide, fragment), URL hash, events, controllers. */
(() => {
  'use strict';
  const d = document, html = d.documentElement, deck = d.getElementById('dp-deck');
  if (!deck || window.deckpoll) return;
  let cfg = {};
  try { cfg = JSON.parse(d.getElementById('dp-config').textContent) || {}; } catch (e) { /* defaults */ }
  const q = new URLSearchParams(location.search);
  const slides = deck.querySelectorAll(':scope>.dp-slide');
  const controllers = [];
  const S = {
    en: {
      slide_label: '{n} of {total}', next: 'Next', notes: 'Notes', no_notes: 'No notes for this slide.',
      end: 'End of the deck', pause: 'Pause', resume: 'Resume', reset: 'Reset', elapsed: 'Elapsed',
      clock: 'Clock', speaker: 'Speaker view', close: 'Close', goto: 'Go to slide', help: 'Keyboard shortcuts',
      blocked: 'The browser blocked the speaker window. Allow pop-ups for this page, or open the speaker view in this tab.',
      open_here: 'Open the speaker view in this tab', k_next: 'Next step', k_prev: 'Previous step',
      k_ends: 'First / last slide', k_go: 'Go to slide (number, then Enter)', k_ov: 'Overview',
      k_sp: 'Speaker view', k_black: 'Black screen', k_fs: 'Fullscreen', k_help: 'This help',
      k_tap: 'Click or tap the left or right third of the slide, or swipe', key: 'Key', action: 'Action'
    },
    sv: {
      slide_label: '{n} av {total}', next: 'Nästa', notes: 'Anteckningar', no_notes: 'Inga anteckningar till den här bilden.',
      end: 'Slut på presentationen', pause: 'Pausa', resume: 'Fortsätt', reset: 'Nollställ', elapsed: 'Tid',
      clock: 'Klocka', speaker: 'Talarvy', close: 'Stäng', goto: 'Gå till bild', help: 'Kortkommandon',
      blocked: 'Webbläsaren blockerade talarfönstret. Tillåt popup-fönster för sidan, eller öppna talarvyn i den här fliken.',
      open_here: 'Öppna talarvyn i den här fliken', k_next: 'Nästa steg', k_prev: 'Föregående steg',
      k_ends: 'Första / sista bilden', k_go: 'Gå till bild (nummer, sedan Enter)', k_ov: 'Översikt',
      k_sp: 'Talarvy', k_black: 'Svart skärm', k_fs: 'Helskärm', k_help: 'Den här hjälpen',
      k_tap: 'Klicka eller tryck på vänster eller höger tredjedel av bilden, eller svep', key: 'Tangent', action: 'Gör'
    }
  };
  const lang = String(cfg.lang || html.lang || 'en').slice(0, 2).toLowerCase();
  let cur = { index: 0, fragment: 0 };

  /* One failing controller must not take the deck down with it. */
  function each(method, arg) {
    controllers.forEach((c) => {
      try { if (c[method]) c[method](arg); } catch (e) { console.error(e); }
    });
  }

  function showFragments(slide, f) {
    const list = slide.querySelectorAll('.dp-fragment');
    for (let k = 0; k < list.length; k++) {
      const n = +list[k].dataset.dpFragment || k + 1;
      list[k].classList.toggle('dp-visible', n <= f);
      list[k].classList.toggle('dp-current-fragment', n === f);
    }
  }

  const dp = window.deckpoll = {
    version: 1, config: cfg, deck, slides, count: slides.length, params: q, lang,
    width: +cfg.width || +deck.dataset.dpWidth || 1280,
    height: +cfg.height || +deck.dataset.dpHeight || 720,
    view: q.has('print') ? 'print' : q.get('view') === 'speaker' ? 'speaker' : 'audience',
    /** A UI string in the deck's language: config strings, then built-ins, then English. */
    t(key, vars) {
      const own = cfg.strings || {};
      let s = own[key] || (S[lang] || S.en)[key] || S.en[key] || key;
      for (const k in vars || {}) s = s.split('{' + k + '}').join(vars[k]);
      return s;
    },
    slide: (i) => slides[i - 1] || null,
    fragments: (i) => (slides[i - 1] ? +slides[i - 1].dataset.dpFragments || 0 : 0),
    state: () => ({ index: cur.index, fragment: cur.fragment, count: slides.length }),
    /** Listen to a runtime event ('slidechange', 'fragment', 'ready', ...); returns an unsubscribe. */
    on(type, fn) {
      const name = 'dp:' + type.replace(/^dp:/, ''), h = (e) => fn(e.detail, e);
      deck.addEventListener(name, h);
      return () => deck.removeEventListener(name, h);
    },
    emit(type, detail) { deck.dispatchEvent(new CustomEvent('dp:' + type, { detail, bubbles: true })); },
    use(Controller) { const c = new Controller(dp); controllers.push(c); return c; },
    el(tag, cls, attrs, text) {
      const e = d.createElement(tag);
      if (cls) e.className = cls;
      for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
      if (text != null) e.textContent = text;
      return e;
    },
    title(i) {
      const s = slides[i - 1], h = s && s.querySelector('h1,h2,h3');
      return h ? h.textContent.trim() : '';
    },
    /** Show slide i (1-based) with f fragments visible (f < 0: all of them). */
    go(i, f, o) {
      o = o || {};
      const n = slides.length;
      if (!n) return false;
      i = Math.min(Math.max(Math.round(+i) || 1, 1), n);
      const nf = dp.fragments(i);
      f = f == null ? 0 : f < 0 ? nf : Math.min(Math.max(Math.round(+f) || 0, 0), nf);
      const p = cur;
      if (p.index === i && p.fragment === f) return false;
      const s = slides[i - 1];
      if (p.index !== i) {
        if (slides[p.index - 1]) slides[p.index - 1].classList.remove('dp-current');
        s.classList.add('dp-current');
      }
      showFragments(s, f);
      cur = { index: i, fragment: f };
      if (o.hash !== false && dp.view !== 'print') {
        const h = '#/' + i + (f ? '/' + f : '');
        if (location.hash !== h) {
          if (o.replace || o.remote || p.index === i) location.replace(h); else location.hash = h;
        }
      }
      const detail = {
        index: i, fragment: f, fragments: nf, count: n, remote: !!o.remote,
        previous: p.index ? { index: p.index, fragment: p.fragment } : null
      };
      each('update', detail);
      dp.emit(p.index !== i ? 'slidechange' : 'fragment', detail);
      return true;
    },
    next(o) {
      return cur.fragment < dp.fragments(cur.index)
        ? dp.go(cur.index, cur.fragment + 1, o) : dp.go(cur.index + 1, 0, o);
    },
    prev(o) {
      return cur.fragment > 0 ? dp.go(cur.index, cur.fragment - 1, o)
        : cur.index > 1 && dp.go(cur.index - 1, -1, o);
    },
    showFragments,
    /** '#/3', '#/3/2', '#/slide-id' or '#dp-slide-id' -> {index, fragment} or null. */
    parseHash(h) {
      let m;
      try { m = /^#\/?([^/]+)(?:\/(\d+))?/.exec(decodeURIComponent(h || '')); } catch (e) { return null; }
      if (!m) return null;
      let i = /^\d+$/.test(m[1]) ? +m[1] : 0;
      if (!i) {
        const el = d.getElementById('dp-slide-' + m[1]) || d.getElementById(m[1]);
        const s = el && el.closest('.dp-slide');
        i = s && s.parentNode === deck ? +s.dataset.dpIndex || 0 : 0;
      }
      return i ? { index: i, fragment: m[2] ? +m[2] : 0 } : null;
    },
    start() {
      html.classList.remove('dp-nojs');
      html.classList.add('dp-js', 'dp-view-' + dp.view);
      if (dp.view !== 'print') html.classList.add('dp-present');
      const st = html.style;
      st.setProperty('--dp-width', dp.width + 'px');
      st.setProperty('--dp-height', dp.height + 'px');
      st.setProperty('--dp-ratio', dp.width + '/' + dp.height);
      each('bind');
      const h = dp.parseHash(location.hash) || { index: 1, fragment: 0 };
      dp.go(h.index, h.fragment, { replace: true, hash: !!location.hash });
      addEventListener('hashchange', () => {
        const s = dp.parseHash(location.hash);
        if (s) dp.go(s.index, s.fragment, { hash: false });
      });
      html.dataset.dpReady = '1';
      dp.emit('ready', dp.state());
    }
  };
})();
