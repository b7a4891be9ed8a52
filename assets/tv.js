/* The floor TV board (/tv): ask /tv/data every `refresh` seconds, draw the board, rotate through
   the lines, say "stale since hh:mm" while the server cannot be reached and carry on when it can.
   Nothing here needs a person: no reload unless the server answered with a newer build. */
(function () {
  "use strict";
  const root = document.getElementById("tv-root");
  if (!root) { return; }
  const board = document.getElementById("tv-board");
  const statusEl = document.getElementById("tv-status");
  const titleEl = document.getElementById("tv-title");
  const clockEl = document.getElementById("tv-clock");
  const refreshS = Number(root.dataset.refresh) || 30;
  const rotateS = Number(root.dataset.rotate) || 15;
  const build = root.dataset.build;
  const INVALID = "This screen's link is no longer valid.";
  // after a failure: ask again sooner than a slow refresh, back off to at most a minute
  const maxWaitS = Math.max(refreshS, Math.min(60, refreshS * 4));

  const query = new URLSearchParams(window.location.search);
  const params = new URLSearchParams();
  if (query.get("key")) { params.set("key", query.get("key")); }
  query.getAll("line").forEach(v => params.append("line", v));

  let state = null;          // what the board on screen was computed from
  let data = null;           // the last board
  let lastOk = null;         // browser time of the last answer
  let plantOffsetMs = 0;     // plant-local clock minus browser clock
  let failures = 0;
  let shown = 0;             // which line is on screen (rotation)
  let rotateTimer = null;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function plantTime(browserMs) {
    const d = new Date(browserMs + plantOffsetMs);
    return String(d.getUTCHours()).padStart(2, "0") + ":" + String(d.getUTCMinutes()).padStart(2, "0");
  }
  function num(v) { return v === null || v === undefined ? "—" : Math.round(v).toLocaleString("en-US"); }
  function signed(v) { return v === null || v === undefined ? "—" : (v >= 0 ? "+" : "−") + num(Math.abs(v)); }
  function pct(v) { return v === null || v === undefined ? "—" : v.toFixed(1) + " %"; }
  function dec(v) { return v === null || v === undefined ? "—" : v.toFixed(1); }
  function tone(v) { return v === null || v === undefined ? "" : (v >= 0 ? "green" : "red"); }

  function kpi(label, value, sub, cls, id, unit) {
    const box = el("div", "tv-kpi " + (cls || ""));
    box.appendChild(el("div", "tv-kpi-label", label));
    const val = el("div", "tv-kpi-value", value);
    if (unit && value !== "—") { val.appendChild(el("small", "", unit)); }
    if (id) { val.id = id; }
    box.appendChild(val);
    box.appendChild(el("div", "tv-kpi-sub", sub || "\u00a0"));
    return box;
  }

  function alertsStrip(line, cls) {
    const strip = el("div", cls);
    strip.id = cls === "tv-alerts" ? "tv-alerts" : "";
    (line.alerts || []).forEach(a => strip.appendChild(el("span", "tv-alert", a.message || a.kind)));
    return strip;
  }

  function dayText(iso) {
    return new Date(iso + "T00:00:00Z").toLocaleDateString("en-GB",
      {weekday: "short", day: "2-digit", month: "short", timeZone: "UTC"});
  }

  function shiftText(shift) {
    if (!shift) { return ""; }
    // a line between shifts shows the one it ran last: say which day that was
    const day = data && shift.date && shift.date !== data.date ? dayText(shift.date) + " · " : "";
    return day + "Shift " + shift.shift_code + " " + shift.start + "–" + shift.end;
  }

  function plantShiftText(b) {
    // each tile shows its line's shift: the running one, else the one it ran last
    const codes = [...new Set(b.lines.filter(l => l.shift).map(l => l.shift.shift_code))];
    if (codes.length === 1) { return shiftText(b.lines.find(l => l.shift).shift); }
    return codes.length ? "Shifts " + codes.join(", ") : shiftText(b.shift);
  }

  function drawLine(line, b) {
    titleEl.textContent = line.line_code + (line.name && line.name !== line.line_code ? " · " + line.name : "");
    titleEl.appendChild(el("span", "", shiftText(line.shift || b.shift)));
    const section = el("section", "tv-line");
    section.dataset.line = line.line_code;
    section.style.cssText = "display:flex;flex-direction:column;gap:1.2vh;flex:1;min-height:0";
    const kpis = el("div", "tv-kpis");
    kpis.appendChild(kpi("Output", num(line.output), "plan so far " + num(line.target_so_far)
      + " · shift " + num(line.target_shift), "", "tv-line-output"));
    kpis.appendChild(kpi("Against plan", signed(line.variance), pct(line.achievement_pct) + " of plan",
      tone(line.variance), "tv-line-variance"));
    const hours = line.hours || [];
    const last = hours.filter(h => h.output !== null && !h.running).pop();
    kpis.appendChild(kpi("Last hour", last ? num(last.output) : "—",
      last ? last.hour + " · target " + num(last.target) : "", last ? last.status : ""));
    const today = !line.shift || line.shift.date === b.date;  // else: the day of its last shift
    kpis.appendChild(kpi("SMV efficiency", dec(line.efficiency_pct), today ? "so far today" : "that day",
      "", "tv-line-efficiency", "%"));
    kpis.appendChild(kpi("DHU", dec(line.dhu), line.checked ? num(line.checked) + " checked" + (today ? " today" : "")
      : "nothing checked yet", "", "tv-line-dhu"));
    section.appendChild(kpis);
    section.appendChild(alertsStrip(line, "tv-alerts"));
    const grid = el("div", "tv-hours");
    grid.id = "tv-hours";
    ["Hour", "Target", "Output", "Variance", "Cum. output", "Cum. plan"].forEach((h, i) =>
      grid.appendChild(el("div", "tv-th" + (i === 0 ? " tv-col-hour" : ""), h)));
    hours.forEach(h => {
      const rowCls = h.running ? " running" : (h.output === null ? " future" : "");
      grid.appendChild(el("div", "tv-col-hour" + rowCls, h.hour + (h.running ? " ▸" : "")));
      grid.appendChild(el("div", rowCls, num(h.target)));
      grid.appendChild(el("div", rowCls, h.output === null ? "" : num(h.output)));
      grid.appendChild(el("div", rowCls + " " + (h.status === "grey" ? "" : h.status), h.variance === null ? "" : signed(h.variance)));
      grid.appendChild(el("div", rowCls, h.output_cum === null ? "" : num(h.output_cum)));
      grid.appendChild(el("div", rowCls, num(h.target_cum)));
    });
    section.appendChild(grid);
    board.replaceChildren(section);
    if (!hours.length) {
      grid.appendChild(el("div", "tv-col-hour", "No plan and no counts in this shift yet."));
    }
    const rows = hours.length + 1;
    const fit = Math.min(grid.clientHeight / Math.max(rows, 6) * 0.62, grid.clientWidth / 6 / 4.2);
    grid.style.setProperty("--row-font", Math.max(12, Math.floor(fit)) + "px");
  }

  function drawPlant(b) {
    titleEl.textContent = "The floor";
    titleEl.appendChild(el("span", "", plantShiftText(b)));
    const lines = b.lines;
    const tiles = el("div", "tv-tiles");
    tiles.id = "tv-tiles";
    board.replaceChildren(tiles);
    if (!lines.length) { board.replaceChildren(el("div", "tv-message", "No lines to show.")); return; }
    const W = tiles.clientWidth, H = tiles.clientHeight;
    // the column count that gives the biggest type, tiles about twice as wide as tall
    let best = {font: 0, cols: 1, rows: lines.length};
    for (let cols = 1; cols <= lines.length; cols++) {
      const rowsN = Math.ceil(lines.length / cols);
      // a tile is about 9 em tall (name, output, two rows, alerts, padding) and 15 em wide
      // (an output of 5 figures at 2.3 em and its plan beside it)
      const font = Math.min((H / rowsN) / 9.2, (W / cols) / 15);
      if (font > best.font) { best = {font: font, cols: cols, rows: rowsN}; }
    }
    tiles.style.gridTemplateColumns = "repeat(" + best.cols + ", 1fr)";
    tiles.style.gridTemplateRows = "repeat(" + best.rows + ", 1fr)";
    tiles.style.setProperty("--tile-font", Math.max(10, Math.floor(best.font)) + "px");
    lines.forEach(line => {
      const tile = el("div", "tv-tile " + (line.status || ""));
      tile.dataset.line = line.line_code;
      const name = el("div", "tv-tile-name", line.line_code + " ");
      const label = [line.name && line.name !== line.line_code ? line.name : "",
                     line.shift ? line.shift.shift_code : ""].filter(x => x).join(" · ");
      if (label) { name.appendChild(el("small", "", label)); }
      tile.appendChild(name);
      const out = el("div", "tv-tile-output", num(line.output));
      out.appendChild(el("small", "", " / " + num(line.target_so_far)));
      tile.appendChild(out);
      const row1 = el("div", "tv-tile-row");
      row1.appendChild(el("span", tone(line.variance), signed(line.variance)));
      row1.appendChild(el("span", line.status, pct(line.achievement_pct)));
      tile.appendChild(row1);
      const row2 = el("div", "tv-tile-row");
      const eff = el("span", line.efficiency_status || "", ""); eff.appendChild(el("span", "label", "Eff ")); eff.append(pct(line.efficiency_pct));
      const dhu = el("span", line.dhu_status || "", ""); dhu.appendChild(el("span", "label", "DHU ")); dhu.append(dec(line.dhu));
      row2.appendChild(eff); row2.appendChild(dhu);
      tile.appendChild(row2);
      tile.appendChild(alertsStrip(line, "tv-tile-alerts"));
      tiles.appendChild(tile);
    });
  }

  function draw() {
    if (!data) { return; }
    if (params.getAll("line").length && data.lines.length) {
      shown = shown % data.lines.length;
      drawLine(data.lines[shown], data);
    } else {
      drawPlant(data);
    }
  }

  function rotate() {
    if (data && params.getAll("line").length && data.lines.length > 1) {
      shown = (shown + 1) % data.lines.length;
      draw();
    }
  }

  function message(text, cls) {
    data = null; state = null;
    titleEl.textContent = "";
    board.replaceChildren(el("div", "tv-message " + (cls || ""), text));
  }

  function fresh() {
    statusEl.className = "tv-status";
    statusEl.textContent = "as of " + plantTime(lastOk);
  }

  function stale() {
    statusEl.className = "tv-status stale";
    statusEl.textContent = "stale since " + plantTime(lastOk || Date.now());
  }

  function tick() {
    clockEl.textContent = plantTime(Date.now());
  }

  async function poll() {
    let wait = refreshS;
    const ask = new URLSearchParams(params);
    if (state) { ask.set("since", state); }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 15000);
    try {
      const res = await fetch("/tv/data?" + ask.toString(), {cache: "no-store", credentials: "same-origin",
                                                               signal: abort.signal});
      let body = null;
      try { body = await res.json(); } catch (e) { body = null; }
      if (res.status === 401 && !params.get("key")) {
        // a signed-in person's session ended: the sign-in page is the right place to go
        window.location.reload();
        return;
      }
      if (res.status === 401 || res.status === 403) {
        message(INVALID, "invalid");  // a revoked key blanks the board
        statusEl.className = "tv-status"; statusEl.textContent = "";
        failures = 0; lastOk = Date.now();
        wait = maxWaitS;
      } else if (res.status === 400 && body && body.error) {
        message(body.error.message, "invalid");
        failures = 0; lastOk = Date.now();
      } else if (res.ok && body) {
        if (body.build !== build) { window.location.reload(); return; }  // a newer board
        if (body.plant_now) {
          const p = body.plant_now;
          plantOffsetMs = Date.UTC(+p.slice(0, 4), +p.slice(5, 7) - 1, +p.slice(8, 10), +p.slice(11, 13),
                                   +p.slice(14, 16), +p.slice(17, 19)) - Date.now();
        }
        tick();
        if (!body.unchanged) { data = body.board; state = body.state; draw(); }
        failures = 0; lastOk = Date.now();
        fresh();
      } else {
        throw new Error("HTTP " + res.status);
      }
    } catch (err) {
      failures += 1;
      stale();
      wait = Math.min(maxWaitS, refreshS * Math.pow(2, failures - 1));
    } finally {
      clearTimeout(timer);
    }
    setTimeout(poll, wait * 1000);
  }

  tick();
  setInterval(tick, 1000);
  rotateTimer = setInterval(rotate, rotateS * 1000);
  window.addEventListener("resize", draw);
  poll();
})();
