/* Start: every controller is registered now. */
if (window.deckpoll && !deckpoll.started) deckpoll.start(deckpoll.started = true);
