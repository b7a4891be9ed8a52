/* Cell renderers for dash-ag-grid (looked up by name in a column's cellRenderer). */
var dagcomponentfuncs = (window.dashAgGridComponentFunctions =
  window.dashAgGridComponentFunctions || {});

/* The Orders page's action buttons: one per move the signed-in user may make on the row's order
   (row field `actions`, worked out on the server). A click sets the grid's cellRendererData to
   {action, wo_number}; the page's callback asks before a cancel and then runs it. */
dagcomponentfuncs.OrderActions = function (props) {
  var labels = {release: "Release", start: "Start", hold: "Hold", resume: "Resume",
                complete: "Complete", cancel: "Cancel"};
  var actions = (props.data && props.data.actions) || [];
  return React.createElement("div", {className: "order-actions"}, actions.map(function (a) {
    return React.createElement("button", {
      key: a, type: "button", "data-action": a,
      className: "btn btn-sm py-0 me-1 " + (a === "cancel" ? "btn-outline-danger"
                                                           : "btn-outline-primary"),
      onClick: function (e) {
        e.stopPropagation();  // a click on a button does not select the row
        props.setData({action: a, wo_number: props.data.wo_number});
      },
    }, labels[a] || a);
  }));
};
