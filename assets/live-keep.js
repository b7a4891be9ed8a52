/* Live refresh keeps what a person did to the view (SPEC section 11).

   A live page rebuilds its content when the data moves, and Dash mounts the rebuilt charts and
   grids afresh, so plotly's uirevision alone cannot carry a zoom across, nor can AG Grid keep
   its scroll. This remembers, per chart and grid id, the zoom and the scroll a person chose for
   the view in the URL, and puts them back on the rebuilt ones. A new selection (the filter bar
   rewrites the URL) starts clean. */
(function () {
  "use strict";
  const zooms = {};    // graph id -> {view, ranges}
  const scrolls = {};  // grid id -> {view, top}
  const AXIS = /^[xy]axis\d*\.(range(\[\d\])?|autorange)$/;

  function view() { return window.location.pathname + window.location.search; }

  function record(id, event) {
    if (!event || event.__fromKeeper) { return; }
    const keys = Object.keys(event).filter(k => AXIS.test(k));
    if (!keys.length) { return; }
    const kept = zooms[id] && zooms[id].view === view() ? zooms[id].ranges : {};
    keys.forEach(k => {
      const axis = k.split(".")[0];
      if (k.endsWith("autorange")) {  // "reset axes": forget that axis
        Object.keys(kept).filter(x => x.split(".")[0] === axis).forEach(x => delete kept[x]);
      } else {
        kept[k] = event[k];
      }
    });
    zooms[id] = {view: view(), ranges: kept};
  }

  function hookGraph(gd) {
    if (gd.__fpKeeper || typeof gd.on !== "function") { return; }
    gd.__fpKeeper = true;
    const host = gd.closest("[id]");
    if (!host) { return; }
    const id = host.id;
    const saved = zooms[id];
    if (saved && saved.view === view() && Object.keys(saved.ranges).length && window.Plotly) {
      // once the rebuilt chart is drawn (and now, should it be drawn already)
      const apply = () => window.Plotly.relayout(gd, Object.assign({}, saved.ranges));
      gd.once("plotly_afterplot", apply);
      if (gd._fullLayout && gd._fullLayout._size) { setTimeout(apply, 0); }
    }
    gd.on("plotly_relayout", ev => record(id, ev));
  }

  function hookGrid(viewport) {
    if (viewport.__fpKeeper) { return; }
    viewport.__fpKeeper = true;
    const host = viewport.closest("[id]");
    if (!host) { return; }
    const id = host.id;
    const saved = scrolls[id];
    if (saved && saved.view === view() && saved.top > 0) {
      // rows arrive a moment after the grid: put the scroll back once they are there
      let tries = 0;
      const restore = () => {
        if (viewport.scrollHeight > viewport.clientHeight || tries > 20) {
          viewport.scrollTop = saved.top;
        } else { tries += 1; setTimeout(restore, 50); }
      };
      restore();
    }
    viewport.addEventListener("scroll", () => {
      scrolls[id] = {view: view(), top: viewport.scrollTop};
    }, {passive: true});
  }

  function scan() {
    document.querySelectorAll(".js-plotly-plot").forEach(hookGraph);
    document.querySelectorAll(".ag-body-viewport").forEach(hookGrid);
  }

  new MutationObserver(scan).observe(document.documentElement, {childList: true, subtree: true});
})();
