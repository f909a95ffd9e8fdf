/* Backend health in the speaker view: when the deck cannot reach its poll backend, finds
   another deck or another build there, or gets an error, the presenter reads it here (naming
   the URL and what was found) while the projected deck stays clean. 58-link.js tells it
   through `dp:backend`; the browser console gets the same words. */
(() => {
const dp = window.deckpoll;
if (!dp) return;
dp.use(class BackendHealth {
 bind() {
  const sv = document.querySelector('.dp-sv');
  if (dp.view !== 'speaker' || !sv) return;
  this.box = dp.el('div', 'dp-sv-backend', { role: 'alert', hidden: '' });
  sv.append(this.box);
  this.off = dp.on('backend', h => this.show(h));
  if (dp.link?.health) this.show(dp.link.health);
 }
 /** The problem (an error: nothing live until it is fixed) or else the warning (polls that
     do not match), each with the URL asked; nothing when all is well. */
 show(h) {
  const said = h.problem || h.warning;
  this.box.hidden = !said;
  this.box.classList.toggle('dp-sv-backend-warn', !h.problem);
  this.box.textContent = '';
  if (!said) return;
  this.box.append(dp.el('strong', '', null, dp.t('backend_title')), ' ',
   dp.el('span', 'dp-sv-backend-what', null, dp.t('backend_' + said.key, said.vars)));
  if (h.problem) this.box.append(' ', dp.el('span', 'dp-sv-backend-retry', null, dp.t('backend_retry', { n: Math.round(h.delay / 1000) })));
 }
 destroy() { this.off?.(); this.box?.remove(); }
});
})();
