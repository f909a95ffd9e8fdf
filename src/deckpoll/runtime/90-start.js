/* Start: every controller is registered now. */
window.deckpoll?.start();
