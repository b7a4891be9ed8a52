/* Functions for dash-ag-grid's {"function": "..."} props (looked up by name; a function string
   is evaluated as an expression, so a body with `return` must live here). */
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

/* A progress bar as a cell's background: the value's per cent filled (0-100, clamped). */
dagfuncs.progressBar = function (value) {
  var p = Math.max(0, Math.min(100, Number(value) || 0));
  return {background: "linear-gradient(90deg, var(--fp-progress) " + p + "%, transparent " + p +
                      "%)", fontWeight: 600};
};
