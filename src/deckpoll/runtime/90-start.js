/* Start: every controller is registered; bind them and show the first step. */
if (window.deckpoll && !window.deckpoll.started) { window.deckpoll.started = true; window.deckpoll.start(); }
