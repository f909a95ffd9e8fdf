/* Poll kinds in the browser. Each runtime/kinds/<kind>.js registers one kind here: its phone
   input (`phone`) and its slide drawing (`slide`). The deck's polls controller and the phone
   page look a kind up by name and keep only the generic parts (stream, state, controls).
   Joined before both scripts at build/serve time; plain ES2017 (phones run it too). */
(function () {
  'use strict';
  if (window.deckpollKinds) return;
  var kinds = Object.create(null);
  var formats = Object.create(null);  // lang -> Intl.NumberFormat, made once each
  window.deckpollKinds = {
    /** define('wordcloud', {phone: {...}, slide: {...}}) */
    define: function (name, kind) { kinds[name] = kind; },
    /** The kind named `name`, or null (an unknown kind draws nothing rather than break). */
    get: function (name) { return kinds[name] || null; },
    names: function () { return Object.keys(kinds); },
    /** `x` written the way the page's language writes numbers: "3,36" on a Swedish or German
        page, "3.36" on an English one (the document's lang, which is the deck's). Every number
        a kind shows with decimals goes through this, on the slide and on the phone, reaching
        kinds as `ui.num`. At most two decimals, as the tallies round them. */
    number: function (x) {
      var lang = document.documentElement.lang || 'en';
      if (!formats[lang]) {
        try { formats[lang] = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }); } catch (e) {
          formats[lang] = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });  // a tag Intl refuses
        }
      }
      return formats[lang].format(x);
    }
  };
})();
