/* deckpoll phone page: follow the presenter, answer the current poll, see live results.
   Each kind's input and results come from its runtime/kinds/<kind>.js (joined before this).
   Plain ES2017, no framework. Audience text reaches the DOM only through textContent. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("jp-config").textContent);
  /* The page's words: the phone section of the deck language's strings/<lang>.yaml. */
  var T = config.strings || {};
  var plural = null;
  try { plural = new Intl.PluralRules(config.strings_lang || "en"); } catch (e) { plural = null; }
  var API = "api/v1/";
  /* The API lives beside the page (deckpoll serve, or a backend serving join.html), or at
     polls.url when the build wrote this page for a deck whose backend is elsewhere. */
  var base = location.pathname.replace(/[^/]*$/, "");
  if (config.api) {
    try { base = new URL(config.api, location.href).href.replace(/\/?$/, "/"); } catch (e) { /* keep the page's folder */ }
  }
  var view = document.getElementById("jp-view");
  var conn = document.getElementById("jp-conn");
  var say = document.getElementById("jp-say");
  var lastSaid = "";
  /* Where focus goes after the next full drawing (a data-jp-focus key) and what the live
     region says then: set by the voter's own actions, so focus never falls to the body. */
  var focusWish = null;
  var message = null;

  function t(key, n, table) {
    var s = T[key] == null ? key : T[key];
    if (typeof s === "object") s = (plural && s[plural.select(+n || 0)]) || s.other;
    return s.replace("{n}", n).replace("{x}", n).replace("{table}", table);
  }

  function h(tag, props, kids) {
    var el = document.createElement(tag);
    if (props) Object.keys(props).forEach(function (k) {
      if (k === "text") el.textContent = props[k];
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), props[k]);
      else if (k in el && k !== "list") el[k] = props[k];
      else el.setAttribute(k, props[k]);
    });
    (kids || []).forEach(function (kid) { if (kid) el.appendChild(kid); });
    return el;
  }

  /* The voter token comes from the server (POST /api/v1/voters), signed for this deck and
     talk, and is kept under a key naming both: two decks on one address, or two talks of
     one deck, never share a token (no linking one phone's answers across talks). */
  var voter = null;
  try { localStorage.removeItem("deckpoll-voter"); } catch (e) { /* the old, unscoped key */ }

  function voterKey() {
    return "deckpoll-voter:" + (deck ? deck.id + ":" + deck.talk : "");
  }

  function mintVoter() {
    return fetch(base + API + "voters", { method: "POST", cache: "no-store" }).then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    }).then(function (data) {
      voter = data.voter;
      // Kept with its expiry (polls.retention): the phone forgets it then, as the server does.
      var saved = JSON.stringify({ voter: voter, expires: data.expires || null });
      try { localStorage.setItem(voterKey(), saved); } catch (e) { /* kept for this visit only */ }
      return voter;
    });
  }

  function loadVoter() {
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(voterKey()) || "null"); } catch (e) { /* private mode, or an old plain token */ }
    if (saved && saved.voter && !(saved.expires && saved.expires * 1000 <= Date.now())) {
      voter = saved.voter;
      return Promise.resolve(voter);
    }
    try { localStorage.removeItem(voterKey()); } catch (e) { /* nothing stored */ }
    return mintVoter();
  }

  var deck = null;          // GET /api/v1/deck
  var polls = {};           // poll id -> manifest poll
  var live = null;          // latest snapshot: state, polls (status), results
  var mine = {};            // poll id -> {answers: [...], remaining: n}
  var editing = {};         // poll id -> true while changing a choice
  var draft = {};           // poll id -> current selection before sending
  var notice = {};          // poll id -> error text
  var shownKey = "";
  var readable = false;     // the readable mode: the current slide's text in large type
  var wholeTalk = null;     // a poll open for the whole talk (`scope: deck`, a Q&A), if any
  var tab = "slide";        // with one: "slide" follows the presenter, "talk" shows it
  var source = null;
  var reconnectTimer = null;
  var table = null;         // the table this phone sits at (polls.groups), once per talk
  var choosingTable = false;
  var skew = 0;             // the server's clock minus this phone's (the slide timer)
  var timerBox = document.getElementById("jp-timer");

  function request(method, path, body, again) {
    var init = { method: method, headers: { "X-Deckpoll-Voter": voter || "" }, cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(base + API + path, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        // A token the server no longer knows (a new talk): get a new one, ask once more.
        if (res.status === 401 && data.error === "unknown_voter" && !again) {
          try { localStorage.removeItem(voterKey()); } catch (e) { /* nothing stored */ }
          return mintVoter().then(function () { return request(method, path, body, true); });
        }
        return { status: res.status, data: data };
      });
    });
  }

  function currentPoll() {
    if (tab === "talk" && wholeTalk) return wholeTalk;
    if (!live || !live.state || !live.state.poll) return null;
    return polls[live.state.poll] || null;
  }

  /** The two tabs of a deck with a whole-talk poll: the presenter's slide, or that poll
      (a Q&A open during the whole talk), on every slide. */
  function drawTabs() {
    var bar = document.getElementById("jp-tabs");
    bar.hidden = !wholeTalk;
    if (!wholeTalk) return;
    var res = live && live.results ? live.results[wholeTalk.id] : null;
    var open = res && res.open != null ? res.open : 0;
    var had = bar.contains(document.activeElement) && focusKey(document.activeElement, bar);
    bar.setAttribute("aria-label", wholeTalk.question);
    bar.textContent = "";
    [["slide", t("tab_slide")], ["talk", t("tab_questions") + (open ? " (" + open + ")" : "")]].forEach(function (pair) {
      bar.appendChild(h("button", { type: "button", className: "jp-tab", text: pair[1],
        "aria-pressed": String(tab === pair[0]), "data-jp-focus": "tab:" + pair[0],
        onclick: function () {
          if (tab === pair[0]) return;
          tab = pair[0];
          var poll = currentPoll();
          if (poll && !mine[poll.id]) loadMine(poll.id);
          render(true);
        } }));
    });
    if (had) bar.querySelector('[data-jp-focus="' + had + '"]').focus();
  }

  /** The voter's own answers; the view is drawn again only when they changed (or `force`),
      so that a form being typed into is not replaced under the fingers. */
  function loadMine(pid, force, then) {
    return request("GET", "polls/" + encodeURIComponent(pid) + "/answers").then(function (r) {
      if (r.status !== 200) return;
      mine[pid] = r.data;
      if (then) then(r.data);
      render(!!force);
    }, function () { /* offline: the next snapshot retries */ });
  }

  // -- views -----------------------------------------------------------------------------

  /** The current slide's title and text; on a poll's slide without the question, which the
      page shows already (the slide's title is then the question too). */
  function slideCopy(poll) {
    var n = live && live.state ? live.state.slide : 1;
    var slide = deck && deck.slides ? deck.slides[n - 1] : null;
    var title = slide && slide.title && !(poll && slide.title === poll.question) ? slide.title : "";
    var kids = [h("h2", { text: title || t("slide", n) })];
    var text = slide && slide.text ? slide.text : "";
    if (slide && slide.title && text.indexOf(slide.title) === 0) text = text.slice(slide.title.length).trim();
    if (poll) text = text.split(poll.question).join("").trim();
    if (text) kids.push(h("p", { text: text }));
    return h("section", { className: "jp-card jp-slide", "aria-label": t("slide", n) }, kids);
  }

  /** The readable mode, for a viewer who cannot read the projected slide: the slide's text
      follows the presenter on every slide, in large type sized in rem, so it grows with the
      phone's own text size. A display preference of this phone, kept on it. */
  function readableToggle() {
    try { readable = localStorage.getItem("deckpoll-readable") === "1"; } catch (e) { readable = false; }
    var button = h("button", { type: "button", className: "jp-tool", text: t("readable"),
      "aria-pressed": String(readable), onclick: function () {
        readable = !readable;
        button.setAttribute("aria-pressed", String(readable));
        document.documentElement.classList.toggle("jp-readable", readable);
        try { localStorage.setItem("deckpoll-readable", readable ? "1" : "0"); } catch (e) { /* this visit only */ }
        render(false);
      } });
    document.documentElement.classList.toggle("jp-readable", readable);
    document.querySelector(".jp-head").appendChild(button);
  }

  /** A form of radio buttons or checkboxes; the kind says which values, and the body to send. */
  function choiceForm(poll, spec) {
    var sel = draft[poll.id] || [];
    var max = spec.max || 0;
    var button = h("button", { type: "submit", className: "jp-btn", text: t("send"), "data-jp-focus": "send" });
    var inputs = [];
    function sync() {
      var chosen = inputs.filter(function (i) { return i.checked; });
      draft[poll.id] = chosen.map(function (i) { return i.value; });
      button.disabled = chosen.length === 0;
      if (max) inputs.forEach(function (i) { i.disabled = !i.checked && chosen.length >= max; });
    }
    /* [value, label, words only a screen reader needs (a scale's end: "1 – Not at all")] */
    var labels = spec.values.map(function (pair) {
      var input = h("input", { type: spec.type, name: "a", value: pair[0], checked: sel.indexOf(pair[0]) >= 0,
        onchange: sync, "data-jp-focus": "opt:" + pair[0] });
      described(poll, input);
      inputs.push(input);
      return h("label", { className: "jp-opt" }, [input, h("span", { text: pair[1] }),
        pair[2] ? h("span", { className: "jp-sr", text: " – " + pair[2] }) : null]);
    });
    /* The options are one group named by the question (and the "choose up to" note), so a
       screen reader says which question an option answers. */
    var group = { className: "jp-set", "aria-labelledby": "jp-q" };
    if (spec.type === "radio") group.role = "radiogroup";
    var before = spec.before || [];
    if (before.length) { before[0].id = "jp-hint"; group["aria-describedby"] = "jp-hint"; }
    var items = before.concat(spec.wrap ? [h("div", { className: spec.wrap }, labels)] : labels, spec.after || []);
    var form = h("form", { className: "jp-form", onsubmit: function (ev) {
      ev.preventDefault();
      var chosen = draft[poll.id] || [];
      if (chosen.length) send(poll, spec.body(chosen), button);
    } }, [h("fieldset", group, items), button]);
    sync();
    return form;
  }

  /** A control is described by the poll's error, if there is one, so that returning focus to
      it after a failed send reads the error with it. */
  function described(poll, control) {
    if (notice[poll.id]) control.setAttribute("aria-describedby", "jp-err");
  }

  function textForm(poll, spec) {
    var field = h(spec.multiline ? "textarea" : "input", { className: "jp-text", maxLength: 280,
      placeholder: t("placeholder"), "aria-labelledby": "jp-q", autocomplete: "off", "data-jp-focus": "text" });
    described(poll, field);
    if (!spec.multiline) field.type = "text";
    field.value = draft[poll.id] || "";
    var count = h("p", { className: "jp-count", text: t("chars", field.value.length) });
    var button = h("button", { type: "submit", className: "jp-btn", text: t("send"), "data-jp-focus": "send" });
    function sync() {
      draft[poll.id] = field.value;
      count.textContent = t("chars", field.value.length);
      button.disabled = !field.value.trim();
    }
    field.addEventListener("input", sync);
    sync();
    return h("form", { className: "jp-form", onsubmit: function (ev) {
      ev.preventDefault();
      if (field.value.trim()) send(poll, { text: field.value }, button);
    } }, [field, count, button]);
  }

  /** Send an answer. Afterwards focus goes to the confirmation (or, while more entries may
      be sent, back to the text field) and the live region says so; after an error it goes back
      to the control that was in use, which the error then describes. */
  function send(poll, body, button) {
    var used = focusKey(document.activeElement);
    if (used === "send" || !used) used = kindOf(poll).entries ? "text" : "opt:" + (draft[poll.id] || [])[0];
    button.disabled = true;
    notice[poll.id] = "";
    if (poll.group && table) body.group = table;
    request("POST", "polls/" + encodeURIComponent(poll.id) + "/answers", body).then(function (r) {
      if (r.status === 422 && r.data && r.data.error === "unknown_group") {
        table = null;  // the deck's tables changed: ask again
        return failed(poll, r.data.message, "table-save");
      }
      if (r.status === 200 || (r.status === 429 && r.data && r.data.error === "answer_limit")) {
        editing[poll.id] = false;
        if (kindOf(poll).entries) draft[poll.id] = "";
        return loadMine(poll.id, true, function (me) {
          var more = kindOf(poll).entries && me.remaining > 0;
          focusWish = more ? "text" : "thanks";
          message = t("thanks") + " " + (kindOf(poll).entries ? (more ? t("more", me.remaining) : t("all_sent")) : "");
        });
      }
      failed(poll, r.status === 429 ? t("too_fast") : (r.data && r.data.message) || t("error"), used);
    }, function () {
      failed(poll, t("error"), used);
    });
  }

  function failed(poll, text, used) {
    notice[poll.id] = text;
    focusWish = used;
    message = text;
    render(true);
  }

  function focusKey(el, within) {
    return el && (within || view).contains(el) ? el.getAttribute("data-jp-focus") : null;
  }

  function bar(label, count, percent) {
    return h("div", { className: "jp-row" }, [
      h("div", { className: "jp-row-top" }, [h("span", { text: label }),
        h("span", { text: count + " · " + Math.round(percent) + " %" })]),
      h("div", { className: "jp-track" }, [h("div", { className: "jp-fill", style: "width:" + percent + "%" })])
    ]);
  }

  /** A form of the kind's own controls (`kids`) and a Send button; `body()` gives the JSON
      answer, or null while there is nothing to send. Sending, focus and errors as above. */
  function sendForm(poll, kids, body) {
    var button = h("button", { type: "submit", className: "jp-btn", text: t("send"), "data-jp-focus": "send" });
    return h("form", { className: "jp-form", onsubmit: function (ev) {
      ev.preventDefault();
      var data = body();
      if (data) send(poll, data, button);
    } }, kids.concat([button]));
  }

  /** The voter's selection before sending (kept across redraws): read, or set with `value`. */
  function draftOf(poll, value) {
    if (value !== undefined) draft[poll.id] = value;
    return draft[poll.id];
  }

  /** What the poll's kind does on the phone (runtime/kinds/<kind>.js), with the helpers it uses. */
  var ui = { h: h, t: t, num: window.deckpollKinds.number, bar: bar, choiceForm: choiceForm, textForm: textForm, sendForm: sendForm,
    draft: draftOf, described: described, say: function (text) { announce(text, true); },
    /* A call of the kind's own (a vote): the JSON reply and status, as `request` gives them. */
    call: function (method, path, body) { return request(method, path, body); },
    /* Draw the results again (the kind's own state changed, e.g. the voter's votes). */
    redraw: function () { render(false); },
    /* The poll's state (a poll view: status, revealed, `elapsed` seconds when it was
       seen, `seenAt` this phone's clock then), the voter's own answers, the deck's polls. */
    status: function (poll) { return live.polls[poll.id] || {}; },
    mine: function (poll) { return mine[poll.id] || null; },
    deckPolls: function () { return (deck && deck.polls) || []; } };
  var NO_KIND = { form: function () { return h("p", { className: "jp-note", text: t("error") }); } };
  function kindOf(poll) {
    var kind = window.deckpollKinds && window.deckpollKinds.get(poll.kind);
    return (kind && kind.phone) || NO_KIND;
  }

  function resultsCard(poll) {
    var res = live && live.results ? live.results[poll.id] : null;
    if (!res) return null;
    if (!res.visible) {
      return poll.results === "hidden" ? null : h("p", { className: "jp-note", text: t("on_screen") });
    }
    var kind = kindOf(poll);
    var title = kind.heading ? kind.heading(res, ui) : t("results") + " · " + t("answers", res.voters);
    var kids = [h("h2", { text: title })];
    if (res.share) kids.push(h("p", { className: "jp-sharing", text: t("sharing", 0, tableLabel(res.share)) }));
    if (kind.results) kids = kids.concat(kind.results(res, ui, poll, live.polls[poll.id] || {}));
    return h("section", { className: "jp-card jp-res" }, kids);
  }

  /** " (waiting for approval)" after an answer the presenter has not approved yet. */
  function pendingMark(answer) {
    if (!answer || !answer.pending) return null;
    // Held as it looked like personal data: say so, and the voter may send it otherwise.
    return h("span", { className: "jp-pending", text: " (" + t(answer.personal ? "personal" : "pending") + ")" });
  }

  /** Entries a voter may send (the server's rule: max_answers, a word cloud 3 by default). */
  function limitOf(poll) { return poll.max_answers || (poll.kind === "wordcloud" ? 3 : 1); }

  // -- tables (answers per table: `polls.groups`, `group: true`) ---------------------------

  function sharedNow(poll) {
    var res = poll && live.results ? live.results[poll.id] : null;
    return res && res.share ? res.share.group : "";
  }

  function tables() { return (deck && deck.groups) || []; }
  function tableLabel(id) {
    var found = tables().filter(function (g) { return g.id === id; })[0];
    return found ? found.label : "";
  }
  function tableKey() { return "deckpoll-table:" + (deck ? deck.id + ":" + deck.talk : ""); }
  function loadTable() {
    try { table = localStorage.getItem(tableKey()); } catch (e) { table = null; }
    if (table && !tableLabel(table)) table = null;  // a table the deck no longer has
  }
  function saveTable(id) {
    table = id;
    choosingTable = false;
    try { localStorage.setItem(tableKey(), id); } catch (e) { /* kept for this visit only */ }
  }
  /** Whether this phone should say its table now: the deck collects answers per table. */
  function wantsTable(poll) {
    if (!tables().length) return false;
    if (poll) return !!poll.group;
    return Object.keys(polls).some(function (id) { return polls[id].group; });
  }

  /** "Which table are you sitting at?": the deck's tables as radio buttons. Asked once per
      talk (kept on the phone), and again only when the voter wants to change it. */
  function tableForm() {
    var picked = table;
    var button = h("button", { type: "submit", className: "jp-btn", text: t("table_save"),
      disabled: !picked, "data-jp-focus": "table-save" });
    var opts = tables().map(function (g) {
      var input = h("input", { type: "radio", name: "jp-table", value: g.id, checked: g.id === table,
        "data-jp-focus": "table:" + g.id,
        onchange: function () { picked = g.id; button.disabled = false; } });
      return h("label", { className: "jp-opt" }, [input, h("span", { text: g.label })]);
    });
    return h("form", { className: "jp-form jp-table-form", onsubmit: function (ev) {
      ev.preventDefault();
      if (!picked) return;
      saveTable(picked);
      focusWish = "table-change";
      message = t("table_mine", 0, tableLabel(picked));
      render(true);
    } }, [h("fieldset", { className: "jp-set", role: "radiogroup", "aria-labelledby": "jp-table-q" }, [
      h("h2", { id: "jp-table-q", className: "jp-table-q", text: t("table_ask") }),
      h("div", { className: "jp-tables" }, opts)]), button]);
  }

  function tableLine() {
    return h("p", { className: "jp-table" }, [h("span", { text: t("table_mine", 0, tableLabel(table)) + " " }),
      h("button", { type: "button", className: "jp-link", text: t("table_change"), "data-jp-focus": "table-change",
        onclick: function () { choosingTable = true; focusWish = "table:" + table; render(true); } })]);
  }

  // -- the slide timer -------------------------------------------------------------------

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(s) {
    s = Math.max(0, Math.ceil(s - 1e-6));
    return (s >= 3600 ? Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) : Math.floor(s / 60)) + ":" + pad(s % 60);
  }
  var timerEnded = false;
  /** The countdown as on the projector (65-timer.js): on its slide, and while it runs on. */
  function drawTimer() {
    var s = live && live.timer, slide = live && live.state ? live.state.slide : 0;
    var left = s ? (s.running ? s.ends - (Date.now() / 1000 + skew) : s.left) : 0;
    var shown = !!s && (s.slide === slide || (s.running && left > -60));
    timerBox.hidden = !shown;
    if (!shown) return;
    var up = left <= 0;
    timerBox.className = "jp-timer" + (up ? " jp-timer-up" : !s.running ? " jp-timer-paused" : "");
    timerBox.textContent = (up ? t("timer_up") : t("timer_left") + (s.running ? "" : " (" + t("timer_paused") + ")")) + " " + clock(left);
    if (up && s.running && !timerEnded && left > -2) announce(t("timer_up"), true);
    timerEnded = up;
  }
  setInterval(drawTimer, 250);

  function pollView(poll) {
    var status = live.polls[poll.id] || {};
    var me = mine[poll.id];
    var kids = [h("h1", { className: "jp-q", id: "jp-q", tabIndex: -1, text: poll.question })];
    var kind = kindOf(poll);
    var answered = me && me.answers && me.answers.length > 0;
    if (poll.group && tables().length && (!table || choosingTable) && status.status === "open") {
      kids.push(tableForm());
      return kids;
    }
    if (poll.group && table) kids.push(tableLine());
    var res = live.results ? live.results[poll.id] : null;
    if (res && res.share && res.share.group) {  // the sharing round: whose answers are shown now
      kids.push(h("p", { className: "jp-sharing", text: t("sharing", 0, tableLabel(res.share.group)) }));
    }
    if (status.status !== "open") {
      kids.push(h("p", { className: "jp-note", text: status.opened ? t("closed") : t("not_open") }));
    } else if (kind.entries) {
      if (answered) {
        kids.push(h("p", { className: "jp-thanks", tabIndex: -1, "data-jp-focus": "thanks", text: t("thanks") }));
        kids.push(h("ul", { className: "jp-mine", "aria-label": t("yours") },
          me.answers.map(function (a) { return h("li", { text: a.text }, [pendingMark(a)]); })));
      }
      if (!me || me.remaining > 0) {
        if (answered) kids.push(h("p", { className: "jp-note", text: t("more", me.remaining) }));
        /* The limit before the first answer, not only after it. */
        else if (limitOf(poll) > 1) kids.push(h("p", { className: "jp-note", text: t(kind.limitKey || "limit", limitOf(poll)) }));
        kids.push(kind.form(poll, ui));
      } else {
        kids.push(h("p", { className: "jp-note", text: t("all_sent") }));
      }
    } else if (answered && !editing[poll.id]) {
      kids.push(h("p", { className: "jp-thanks", tabIndex: -1, "data-jp-focus": "thanks", text: t("thanks") },
        [pendingMark(me.answers[0])]));
      if (!kind.final) kids.push(h("button", { type: "button", className: "jp-link", text: t("change"), "data-jp-focus": "change",
        onclick: function () {
          draft[poll.id] = kind.draft(me.answers[0]);
          editing[poll.id] = true;
          focusWish = "opt:" + draft[poll.id][0];  // the answer given, checked
          render(true);
        } }));
    } else {
      kids.push(kind.form(poll, ui));
    }
    if (poll.moderation === "approve" && status.status === "open") {
      kids.push(h("p", { className: "jp-note", text: t("held") }));
    }
    if (notice[poll.id]) kids.push(h("p", { className: "jp-err", id: "jp-err", text: notice[poll.id] }));
    /* A kind whose results are where one acts (a Q&A's questions to vote on) shows them
       before the voter's own answer too. */
    if (answered || status.status !== "open" || kind.list) {
      var card = resultsCard(poll);
      if (card) kids.push(h("div", { id: "jp-results" }, [card]));
    }
    return kids;
  }

  function render(force) {
    if (!deck || !live) return;
    drawTabs();
    var poll = currentPoll();
    var status = poll ? live.polls[poll.id] || {} : {};
    var me = poll ? mine[poll.id] : null;
    var key = JSON.stringify([live.state.slide, poll && poll.id, status.status, status.visible,
      me ? me.answers.length : 0, me ? me.answers.filter(function (a) { return a.pending; }).length : 0,
      readable, tab, table, choosingTable, sharedNow(poll)]);
    if (!force && key === shownKey) {
      var slot = document.getElementById("jp-results");
      if (slot && poll) {
        var card = resultsCard(poll), kept = slot.contains(document.activeElement) && focusKey(document.activeElement);
        slot.textContent = "";
        if (card) slot.appendChild(card);
        /* Focus on a control in the results (a vote button) stays on it when they redraw. */
        var again = kept && slot.querySelector('[data-jp-focus="' + CSS.escape(kept) + '"]');
        if (again) again.focus();
      }
      return;
    }
    shownKey = key;
    var kids = poll ? pollView(poll)
      : [h("h1", { className: "jp-q", id: "jp-q", tabIndex: -1, text: t("waiting") })];
    if (!poll && wantsTable(null)) kids.push(!table || choosingTable ? tableForm() : tableLine());
    var copy = slideCopy(poll);
    // On a poll's slide, the slide's text only when it says more than the question.
    if (tab === "slide" && (!poll || (readable && copy.querySelector("p")))) kids.push(copy);
    var had = document.activeElement, inside = view.contains(had), wish = focusWish || focusKey(had);
    focusWish = null;
    view.textContent = "";
    kids.forEach(function (k) { view.appendChild(k); });
    /* Focus was in the view (or the voter just acted): put it on the same control again, or
       on the question, never on the page's body. */
    if (inside || wish) {
      var target = wish && view.querySelector('[data-jp-focus="' + CSS.escape(wish) + '"]');
      (target || document.getElementById("jp-q")).focus();
    }
    announce(message || spoken(poll, status, kids), !!message);
    message = null;
  }

  /** One short announcement per change of view: the question with its state, or the slide
      followed in the readable mode (results updating are not announced). */
  function spoken(poll, status, kids) {
    var heading = kids[0].textContent;
    if (!poll) return readable ? heading + ". " + kids[kids.length - 1].querySelector("h2").textContent : heading;
    var next = kids[1] && kids[1].className.indexOf("jp-thanks") >= 0 ? kids[1].textContent : "";
    return [heading, next || (status.status === "open" ? "" : kids[1].textContent)].join(" ");
  }

  /** Say `text` through the live region; `again` says it even when it is what was said last
      (a second entry sent, the same error twice): a changed no-break space makes it new. */
  function announce(text, again) {
    text = text.trim();
    if (text === lastSaid.replace(/\u00a0$/, "") && !again) return;
    lastSaid = text === lastSaid ? text + "\u00a0" : text;
    say.textContent = lastSaid;
  }

  // -- the event stream ------------------------------------------------------------------

  function status(text) {
    conn.hidden = !text;
    conn.textContent = text || "";
  }

  function onSnapshot(data) {
    if (deck && data.hash !== deck.hash) { loadDeck(); return; }
    var before = live && live.state ? live.state.poll : null;
    live = data;
    Object.keys(live.polls || {}).forEach(function (id) { live.polls[id].seenAt = Date.now(); });
    if (typeof data.now === "number") skew = data.now - Date.now() / 1000;
    status("");
    var pid = live.state.poll;
    if (pid && polls[pid] && (pid !== before || !mine[pid])) loadMine(pid);
    if (wholeTalk && !mine[wholeTalk.id]) loadMine(wholeTalk.id);
    render(false);
  }

  function listen() {
    if (source) source.close();
    clearTimeout(reconnectTimer);
    source = new EventSource(base + API + "events?client=join");
    source.addEventListener("snapshot", function (ev) { onSnapshot(JSON.parse(ev.data)); });
    source.addEventListener("state", function (ev) {
      if (!live) return;
      var state = JSON.parse(ev.data);
      live.state = state;
      if (state.poll && polls[state.poll] && !mine[state.poll]) loadMine(state.poll);
      render(false);
    });
    source.addEventListener("poll", function (ev) {
      if (!live) return;
      var p = JSON.parse(ev.data);
      p.seenAt = Date.now();
      live.polls[p.id] = p;
      if (!p.opened) delete mine[p.id];  // reset: the store forgot every answer
      render(false);
    });
    source.addEventListener("results", function (ev) {
      if (!live) return;
      var r = JSON.parse(ev.data);
      var poll = currentPoll();
      var prev = live.results[r.id];
      live.results[r.id] = r;
      // A reset empties the poll: forget our answers so the form comes back.
      if (poll && poll.id === r.id && prev && r.answers === 0 && prev.answers > 0) {
        mine[r.id] = { answers: [], remaining: null };
        loadMine(r.id);
      } else if (mine[r.id] && mine[r.id].answers.some(function (a) { return a.pending; })) {
        loadMine(r.id);  // one of ours may have been approved (or hidden) meanwhile
      }
      render(false);
    });
    source.addEventListener("timer", function (ev) {
      if (!live) return;
      var data = JSON.parse(ev.data);
      skew = data.now - Date.now() / 1000;
      live.timer = data.timer;
      drawTimer();
    });
    source.onopen = function () { status(""); };
    source.onerror = function () {
      status(t("offline"));
      if (source.readyState === 2) reconnectTimer = setTimeout(start, 3000);
    };
  }

  /** The reaction bar (deck.yaml `reactions:`), on every slide: a tap sends one emoji to the
      deck; the server allows two a second and stores nothing. */
  function drawReactions(list) {
    var bar = document.getElementById("jp-react");
    bar.textContent = "";
    bar.hidden = !list.length;
    bar.setAttribute("aria-label", t("reactions"));
    list.forEach(function (emoji) {
      var button = h("button", { type: "button", className: "jp-reaction", text: emoji,
        "aria-label": t("react") + " " + emoji, onclick: function () {
          button.classList.remove("jp-sent");
          void button.offsetWidth;  // restart the little pop
          button.classList.add("jp-sent");
          request("POST", "reactions", { emoji: emoji }).catch(function () { /* a lost tap */ });
        } });
      bar.appendChild(button);
    });
  }

  function loadDeck() {
    return fetch(base + API + "deck", { cache: "no-store" }).then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    }).then(function (data) {
      deck = data;
      polls = {};
      (data.polls || []).forEach(function (p) { polls[p.id] = p; });
      mine = {};
      wholeTalk = (data.polls || []).filter(function (p) { return p.scope === "deck" && kindOf(p).tab; })[0] || null;
      drawReactions(data.reactions || []);
      if (!wholeTalk) tab = "slide";
      shownKey = "";  // another deck (or its new version): draw everything again
      loadTable();
      return loadVoter().then(function () { onSnapshot(data.live); });
    });
  }

  function start() {
    status(deck ? t("offline") : t("connecting"));
    loadDeck().then(listen, function () {
      status(t("offline"));
      clearTimeout(reconnectTimer);
      reconnectTimer = setTimeout(start, 3000);
    });
  }

  // A phone that slept or lost the network reconnects at once and resyncs from a snapshot.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") start();
  });
  window.addEventListener("online", start);
  window.addEventListener("pageshow", function (ev) { if (ev.persisted) start(); });

  readableToggle();
  start();
})();
