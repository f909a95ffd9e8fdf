/* Code steps (```python {1|3-4|all}): each step after the first is an empty fragment inside
   the <pre>; the lines of the current step (1 + the steps shown) get dp-lit, the theme dims
   the others. Without JavaScript, and in print, no line is dimmed. */
(() => {
const dp = window.deckpoll;
if (!dp) return;
dp.use(class CodeSteps {
 update(s) {
  const slide = dp.slide(s.index);
  if (!slide) return;
  for (const pre of slide.querySelectorAll('pre.dp-code[data-dp-steps]')) {
   const step = String(1 + pre.querySelectorAll('.dp-code-step.dp-visible').length);
   pre.dataset.dpStep = step;
   for (const line of pre.querySelectorAll('.dp-line')) {
    line.classList.toggle('dp-lit', (line.dataset.dpSteps || '').split(' ').includes(step));
   }
  }
 }
});
})();
