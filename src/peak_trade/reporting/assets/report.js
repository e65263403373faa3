// peak_trade report: draws the charts of the embedded data with Plotly (inline, offline).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("pt-data").textContent);
  const cfg = { displaylogo: false, responsive: true };
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const fmt = (v) => {
    if (v === null || v === undefined) return "";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(6);
    return String(v);
  };
  // A series' times are t0 plus whole steps of dt (see reporting/_encode.py).
  const times = (s) => { let t = s.t0; return s.dx.map((d) => new Date((t += d * s.dt))); };
  const layout = (title, extra) => Object.assign({
    title: { text: title, font: { size: 14 } }, margin: { l: 60, r: 20, t: 40, b: 40 },
    xaxis: { type: "date" }, showlegend: true, legend: { orientation: "h" },
  }, extra || {});

  function table(columns, rows, sortable) {
    const t = el("table");
    const head = el("tr");
    columns.forEach((c, j) => {
      const th = el("th", {}, c);
      if (sortable) th.addEventListener("click", () => sortBy(t, j));
      head.appendChild(th);
    });
    t.appendChild(head);
    rows.forEach((r) => {
      const tr = el("tr");
      r.forEach((v) => { const td = el("td", {}, fmt(v)); td.dataset.v = v === null ? "" : v; tr.appendChild(td); });
      t.appendChild(tr);
    });
    return t;
  }
  function sortBy(t, j) {
    const rows = Array.from(t.querySelectorAll("tr")).slice(1);
    const up = t.dataset.col === String(j) && t.dataset.dir !== "up";
    t.dataset.col = String(j); t.dataset.dir = up ? "up" : "down";
    const key = (r) => { const s = r.children[j].dataset.v; const n = Number(s); return s !== "" && !isNaN(n) ? n : s; };
    rows.sort((a, b) => { const x = key(a), y = key(b); const c = x < y ? -1 : x > y ? 1 : 0; return up ? c : -c; });
    rows.forEach((r) => t.appendChild(r));
  }
  function heatColor(v, lim) {
    if (v === null) return "#fff";
    const a = Math.min(1, Math.abs(v) / (lim || 1));
    return v >= 0 ? `rgba(0,140,60,${a * 0.6})` : `rgba(200,30,30,${a * 0.6})`;
  }
  function monthly(m) {
    const t = el("table");
    const head = el("tr");
    ["year", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "year"].forEach((c) => head.appendChild(el("th", {}, c)));
    t.appendChild(head);
    let lim = 0;
    m.values.forEach((row) => row.forEach((v) => { if (v !== null) lim = Math.max(lim, Math.abs(v)); }));
    m.years.forEach((y, i) => {
      const tr = el("tr");
      tr.appendChild(el("td", {}, String(y)));
      m.values[i].concat([m.yearly[i]]).forEach((v) => {
        const td = el("td", {}, v === null ? "" : (v * 100).toFixed(2) + "%");
        td.style.background = heatColor(v, lim);
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    return t;
  }
  function chart(parent, id, traces, lay, cls) {
    const div = el("div", { id: id, class: cls || "chart", "data-chart": "1" });
    parent.appendChild(div);
    Plotly.newPlot(div, traces, lay, cfg);
    return div;
  }
  function runSection(run, k, root) {
    const sec = el("section", { id: `run-${k}` });
    root.appendChild(sec);
    sec.appendChild(el("h2", {}, `${run.symbol} · ${run.strategy}`));
    if (run.params) sec.appendChild(el("p", { class: "note" }, "params: " + JSON.stringify(run.params)));
    const s = run.series;
    const price = data.prices[run.price];
    const priceX = times(price);
    const logBox = el("input", { type: "checkbox", id: `log-${k}` });
    const lab = el("label", {}, " log scale");
    lab.prepend(logBox);
    sec.appendChild(lab);
    const eq = chart(sec, `equity-${k}`, [
      { x: times(s.equity), y: s.equity.y, name: "strategy", mode: "lines", line: { width: 1.2 } },
      { x: priceX, y: price.y.map((v) => (v === null ? null : v * run.bench_scale)), name: "buy and hold", mode: "lines", line: { width: 1, color: "#999" } },
    ], layout("Equity vs buy and hold"));
    logBox.addEventListener("change", () => Plotly.relayout(eq, { "yaxis.type": logBox.checked ? "log" : "linear" }));
    chart(sec, `drawdown-${k}`, [
      { x: times(s.drawdown), y: s.drawdown.y, name: "drawdown", mode: "lines", fill: "tozeroy", line: { width: 1, color: "#c33" } },
    ], layout("Drawdown (underwater)", { yaxis: { tickformat: ".0%" } }));
    chart(sec, `price-${k}`, [
      { x: priceX, y: price.y, name: "price", mode: "lines", line: { width: 1, color: "#456" } },
      { x: times(run.entries), y: run.entries.y, name: "entries", mode: "markers", marker: { symbol: "triangle-up", size: 8, color: "#093" } },
      { x: times(run.exits), y: run.exits.y, name: "exits", mode: "markers", marker: { symbol: "triangle-down", size: 8, color: "#c30" } },
    ], layout("Price with entries and exits"));
    if (run.markers_note) sec.appendChild(el("p", { class: "note" }, run.markers_note));
    chart(sec, `sharpe-${k}`, [
      { x: times(s.rolling_sharpe), y: s.rolling_sharpe.y, name: `rolling Sharpe (${run.sharpe_window} bars)`, mode: "lines", line: { width: 1 } },
    ], layout("Rolling Sharpe"));
    sec.appendChild(el("h3", {}, "Monthly returns"));
    sec.appendChild(monthly(run.monthly));
    sec.appendChild(el("h3", {}, "Stats"));
    const stats = Object.keys(run.stats).map((n) => [n, run.stats[n]]);
    sec.appendChild(table(["stat", "value"], stats, false));
    sec.appendChild(el("h3", {}, `Trades (${run.trades.rows.length} of ${run.trades.total} shown; click a header to sort)`));
    const box = el("div", { class: "scroll" });
    box.appendChild(table(run.trades.columns, run.trades.rows, true));
    sec.appendChild(box);
    sec.appendChild(el("h3", {}, "Invariant violations"));
    if (run.violations.length === 0) sec.appendChild(el("p", {}, run.violations_note));
    else {
      const vt = table(Object.keys(run.violations[0]), run.violations.map((v) => Object.values(v)), true);
      vt.id = `violations-${k}`;
      sec.appendChild(vt);
    }
  }

  function sweepSection(sw, root) {
    const sec = el("section", { id: "sweep" });
    root.appendChild(sec);
    const cols = sw.columns;
    const n = cols[sw.metric].length;
    const controls = el("p");
    const pick = (name, options, value) => {
      const lab = el("label", {}, name + " ");
      const s = el("select", { id: `pick-${name}` });
      options.forEach((o) => { const op = el("option", { value: o }, o); if (o === value) op.selected = true; s.appendChild(op); });
      lab.appendChild(s); controls.appendChild(lab);
      return s;
    };
    const px = pick("x", sw.params, sw.params[0]);
    const py = pick("y", sw.params, sw.params[Math.min(1, sw.params.length - 1)]);
    const pm = pick("metric", sw.metrics, sw.metric);
    const pa = pick("aggregate", ["max", "mean", "min"], "max");
    sec.appendChild(el("h2", {}, "Sweep"));
    sec.appendChild(controls);
    sec.appendChild(el("p", { class: "note" }, "Each cell aggregates the metric over the other parameters (and symbols in the overall map)."));
    const uniq = (a) => Array.from(new Set(a)).sort((p, q) => (p < q ? -1 : p > q ? 1 : 0));
    function grid(rows) {
      const X = cols[px.value], Y = cols[py.value], M = cols[pm.value];
      const xs = uniq(rows.map((i) => X[i])), ys = uniq(rows.map((i) => Y[i]));
      const xi = new Map(xs.map((v, i) => [v, i])), yi = new Map(ys.map((v, i) => [v, i]));
      const acc = ys.map(() => xs.map(() => []));
      rows.forEach((i) => { const v = M[i]; if (v !== null && isFinite(v)) acc[yi.get(Y[i])][xi.get(X[i])].push(v); });
      const agg = pa.value;
      const z = acc.map((r) => r.map((c) => {
        if (c.length === 0) return null;
        if (agg === "mean") return c.reduce((a, b) => a + b, 0) / c.length;
        return agg === "max" ? Math.max(...c) : Math.min(...c);
      }));
      return { x: xs.map(String), y: ys.map(String), z: z };
    }
    const all = Array.from({ length: n }, (_, i) => i);
    const heat = el("div", { id: "sweep-heatmap", class: "chart", "data-chart": "1" });
    heat.style.height = "420px";
    sec.appendChild(heat);
    const dist = el("div", { id: "sweep-distribution", class: "chart", "data-chart": "1" });
    sec.appendChild(dist);
    sec.appendChild(el("h3", {}, "Per symbol"));
    const multi = el("div", { class: "grid" });
    sec.appendChild(multi);
    const symbols = cols.symbol ? uniq(cols.symbol) : [];
    const smalls = symbols.map((s, j) => {
      const d = el("div", { id: `sweep-symbol-${j}`, class: "small", "data-chart": "1" });
      multi.appendChild(d);
      return [s, d, all.filter((i) => cols.symbol[i] === s)];
    });
    function draw() {
      const g = grid(all);
      const axes = { xaxis: { title: { text: px.value }, type: "category" }, yaxis: { title: { text: py.value }, type: "category" } };
      Plotly.react(heat, [{ type: "heatmap", x: g.x, y: g.y, z: g.z, colorscale: "Viridis", colorbar: { title: { text: pm.value } } }],
        Object.assign({ title: { text: `${pm.value} over ${px.value} x ${py.value} (${pa.value})` }, margin: { t: 40 } }, axes), cfg);
      const vals = cols[pm.value].filter((v) => v !== null && isFinite(v));
      Plotly.react(dist, [{ type: "histogram", x: vals, nbinsx: 60, marker: { color: "#468" } }],
        { title: { text: `Distribution of ${pm.value} over ${vals.length} combinations` }, margin: { t: 40 } }, cfg);
      smalls.forEach(([s, d, rows]) => {
        const h = grid(rows);
        Plotly.react(d, [{ type: "heatmap", x: h.x, y: h.y, z: h.z, colorscale: "Viridis", showscale: false }],
          Object.assign({ title: { text: String(s), font: { size: 12 } }, margin: { l: 50, r: 10, t: 30, b: 40 } }, axes), cfg);
      });
    }
    [px, py, pm, pa].forEach((s) => s.addEventListener("change", draw));
    draw();
    sec.appendChild(el("h3", {}, `Top ${sw.top.rows.length} by ${sw.metric}`));
    sec.appendChild(table(sw.top.columns, sw.top.rows, true));
  }

  function walkForwardSection(wf, root) {
    const sec = el("section", { id: "walk-forward" });
    root.appendChild(sec);
    sec.appendChild(el("h2", {}, "Walk-forward"));
    const summary = table(["metric", "fold rows", "efficiency"], [[wf.metric, wf.rows.length, wf.efficiency]], false);
    summary.id = "walk-forward-summary";
    sec.appendChild(summary);
    if (wf.efficiency === null) sec.appendChild(el("p", { class: "note" }, "No fold has a finite oos_metric / is_metric, so the efficiency is undefined."));
    sec.appendChild(el("p", { class: "note" }, `Each fold chose the best combination by ${wf.metric} on its train window (is_metric) and traded it on the test window (oos_metric; oos_rank among all n_combos combinations there, 1 = best). Efficiency is the mean of oos_metric / is_metric over the folds with a finite ratio.`));
    const t = table(wf.columns, wf.rows, true);
    t.id = "walk-forward-folds";
    sec.appendChild(t);
  }

  const root = document.getElementById("pt-root");
  if (data.overview) {
    root.appendChild(el("h2", {}, "Overview"));
    root.appendChild(table(data.overview.columns, data.overview.rows, true));
  }
  (data.runs || []).forEach((run, k) => runSection(run, k, root));
  if (data.sweep) sweepSection(data.sweep, root);
  if (data.walk_forward) walkForwardSection(data.walk_forward, root);
  const rep = el("section", { id: "repro" });
  rep.appendChild(el("h2", {}, "Reproduce"));
  rep.appendChild(table(["field", "value"], Object.keys(data.repro).map((k) => [k, typeof data.repro[k] === "object" && data.repro[k] !== null ? JSON.stringify(data.repro[k]) : data.repro[k]]), false));
  root.appendChild(rep);
  document.body.dataset.ready = "1";
})();
