/** Layout measures both browser suites take, as expressions evaluated in the console page. */

/** How far (px) below the timeline's rows the open detail begins: stacked on a narrow window it follows them. */
export const DETAIL_GAP =
  "document.getElementById('detail').getBoundingClientRect().top - document.getElementById('rows').getBoundingClientRect().bottom";

/** The page's full width: no wider than the window means no horizontal scroll. */
export const PAGE_WIDTH = 'document.documentElement.scrollWidth';
