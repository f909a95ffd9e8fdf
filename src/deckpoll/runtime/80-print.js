/* Print: one page per slide at design size (?print, ?print&notes, print dialog). */
(() => {
const dp = window.deckpoll, html = document.documentElement;
if (!dp) return;
dp.use(class Print {
 bind() {
  const notes = dp.view === 'print' && dp.params.has('notes');
  this.page = dp.el('style', '', { 'data-dp-page': '' });
  this.page.textContent = '@page{size:' + dp.width + 'px ' + Math.round(dp.height * (notes ? 1.5 : 1)) + 'px;margin:0}';
  document.head.append(this.page);
  if (dp.view === 'print') {
   html.classList.add('dp-print');
   html.classList.toggle('dp-print-notes', notes);
   return;
  }
  addEventListener('beforeprint', () => html.classList.replace('dp-present', 'dp-print'), { signal: this.signal });
  addEventListener('afterprint', () => html.classList.replace('dp-print', 'dp-present'), { signal: this.signal });
 }
 destroy() { this.page.remove(); }
});
})();
