/* Poll kinds in the browser. Each runtime/kinds/<kind>.js registers one kind here: its phone
   input (`phone`) and its slide drawing (`slide`). The deck's polls controller and the phone
   page look a kind up by name and keep only the generic parts (stream, state, controls).
   Joined before both scripts at build/serve time; plain ES2017 (phones run it too). */
(function () {
  'use strict';
  if (window.deckpollKinds) return;
  var kinds = Object.create(null);
  window.deckpollKinds = {
    /** define('wordcloud', {phone: {...}, slide: {...}}) */
    define: function (name, kind) { kinds[name] = kind; },
    /** The kind named `name`, or null (an unknown kind draws nothing rather than break). */
    get: function (name) { return kinds[name] || null; },
    names: function () { return Object.keys(kinds); }
  };
})();
