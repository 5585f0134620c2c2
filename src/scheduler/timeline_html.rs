//! `--timeline-html OUT.html`: the timeline as one page that needs nothing else (its CSS, its
//! data and a little JavaScript inline; nothing fetched): a lane per task, a bar per stretch in
//! one state, the program's output on the same time axis; hovering or clicking a bar or an
//! output tick shows what it was; the wheel zooms the time axis around the pointer and
//! dragging pans it. The page also checks itself when opened as `page.html#selftest` (what
//! the browser test in tests/timeline.rs reads back).

use super::timeline::{json_escape, Timeline};

/// The page for a run that ended at `end` (ns on the scheduler's clock).
pub fn page(tl: &Timeline, end: i64, program: &str) -> String {
    let (rows, stretches, outputs) = tl.parts(end);
    let secs = |ns: i64| ns as f64 / 1e9;
    let names: Vec<String> = rows.iter().map(|r| format!("\"{}\"", json_escape(r))).collect();
    let bars: Vec<String> = stretches
        .iter()
        .map(|(row, from, to, m, note)| {
            format!("[{},{},{},\"{}\",\"{}\"]", row, secs(*from), secs(*to), m.class(), json_escape(note))
        })
        .collect();
    let out: Vec<String> = outputs
        .iter()
        .map(|(at, who, line)| format!("[{},\"{}\",\"{}\"]", secs(*at), json_escape(who), json_escape(line)))
        .collect();
    let data = format!(
        "{{\"program\":\"{}\",\"end\":{},\"rows\":[{}],\"bars\":[{}],\"out\":[{}]}}",
        json_escape(program),
        secs(end),
        names.join(","),
        bars.join(","),
        out.join(",")
    );
    // `</` cannot end the script early: the data's strings are JSON-escaped, and `<` inside
    // them is written as a JSON escape too.
    let data = data.replace('<', "\\u003c");
    TEMPLATE.replace("/*TITLE*/", &html_escape(program)).replace("/*DATA*/", &data)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

const TEMPLATE: &str = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>tinyasync timeline: /*TITLE*/</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 16px; margin: 0 0 8px; }
#chart { border: 1px solid #ccc; cursor: grab; user-select: none; }
#chart text { font: 12px monospace; fill: #333; }
#chart .axis text { fill: #666; }
rect.ready { fill: #d9d9d9; } rect.running { fill: #2e9e44; } rect.sleeping { fill: #6fa8dc; }
rect.join, rect.queue, rect.event { fill: #f1c232; } rect.queue { fill: #e69138; } rect.event { fill: #c9a227; }
rect.finished { fill: #1b5e20; } rect.failed { fill: #cc0000; } rect.cancelled { fill: #a64d79; }
rect.sel { stroke: #000; stroke-width: 1.5; }
line.out { stroke: #555; stroke-width: 2; }
#tip { position: fixed; pointer-events: none; background: #fffbe6; border: 1px solid #c9b458;
       padding: 4px 8px; border-radius: 3px; display: none; white-space: pre; font: 12px monospace; }
#legend span { display: inline-block; margin-right: 14px; }
#legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; }
#info { margin-top: 8px; font: 12px monospace; white-space: pre; min-height: 1.4em; }
#output { margin-top: 12px; font: 12px monospace; white-space: pre; max-height: 240px; overflow: auto;
          border-top: 1px solid #eee; padding-top: 6px; }
</style></head><body>
<h1>tinyasync timeline: /*TITLE*/</h1>
<div id="legend"></div>
<svg id="chart" xmlns="http://www.w3.org/2000/svg"></svg>
<div id="info">Hover or click a bar; the wheel zooms, dragging pans.</div>
<div id="tip"></div>
<div id="output"></div>
<script>
const D = /*DATA*/;
const NS = "http://www.w3.org/2000/svg";
const ROW = 22, LEFT = 170, TOP = 8;
const W = Math.max(700, Math.min(1400, window.innerWidth - 40));
const OUT_ROW = D.rows.length;
const H = TOP + (D.rows.length + (D.out.length ? 1 : 0)) * ROW + 30;
const MEANING = { ready: "ready", running: "running", sleeping: "sleeping", join: "waiting (join)",
  queue: "waiting (queue)", event: "waiting (event)", finished: "finished", failed: "failed",
  cancelled: "cancelled" };
let v0 = 0, v1 = D.end > 0 ? D.end : 1;
const svg = document.getElementById("chart"), tip = document.getElementById("tip");
svg.setAttribute("width", W); svg.setAttribute("height", H);
function x(t) { return LEFT + (t - v0) / (v1 - v0) * (W - LEFT - 10); }
function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}
function fmt(t) { return (Math.round(t * 1e6) / 1e6).toString(); }
function describe(b) {
  const m = MEANING[b[3]], note = b[4] ? "\n" + b[4] : "";
  if (b[3] === "finished" || b[3] === "failed" || b[3] === "cancelled") return D.rows[b[0]] + ": " + m + " at " + fmt(b[1]) + " s" + note;
  return D.rows[b[0]] + ": " + m + " from " + fmt(b[1]) + " s to " + fmt(b[2]) + " s" + note;
}
function render() {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  D.rows.forEach((name, i) => svg.appendChild(el("text", { x: 6, y: TOP + i * ROW + 15, class: "lane" }, name)));
  if (D.out.length) svg.appendChild(el("text", { x: 6, y: TOP + OUT_ROW * ROW + 15 }, "output"));
  // Steps and ends on top: on the virtual clock a step takes no time, and the stretch after
  // it starts where it is.
  const onTop = b => b[3] === "running" || b[3] === "finished" || b[3] === "failed" || b[3] === "cancelled";
  for (const top of [false, true]) D.bars.forEach((b, i) => {
    if (onTop(b) !== top) return;
    const ended = top && b[3] !== "running";
    const x0 = x(b[1]), w = ended ? 6 : Math.max(x(b[2]) - x0, b[3] === "running" ? 3 : 1);
    if (x0 + w < LEFT || x0 > W) return;
    svg.appendChild(el("rect", { x: Math.max(x0, LEFT), y: TOP + b[0] * ROW + 3, width: w, height: ROW - 6,
      class: b[3], "data-i": i }));
  });
  D.out.forEach((o, i) => {
    const xo = x(o[0]);
    if (xo < LEFT || xo > W) return;
    svg.appendChild(el("line", { x1: xo, x2: xo, y1: TOP + OUT_ROW * ROW + 4, y2: TOP + OUT_ROW * ROW + ROW - 4,
      class: "out", "data-o": i }));
  });
  const axis = el("g", { class: "axis" }), y = H - 10;
  for (let k = 0; k <= 8; k++) {
    const t = v0 + (v1 - v0) * k / 8, xt = x(t);
    axis.appendChild(el("line", { x1: xt, x2: xt, y1: TOP, y2: y - 12, stroke: "#eee" }));
    axis.appendChild(el("text", { x: xt - 10, y: y }, fmt(t) + (k === 8 ? " s" : "")));
  }
  svg.insertBefore(axis, svg.firstChild);
}
function show(e, text) {
  tip.textContent = text; tip.style.display = "block";
  tip.style.left = (e.clientX + 12) + "px"; tip.style.top = (e.clientY + 12) + "px";
}
function explain(target) {
  if (target.dataset.i !== undefined) return describe(D.bars[+target.dataset.i]);
  if (target.dataset.o !== undefined) { const o = D.out[+target.dataset.o]; return "at " + fmt(o[0]) + " s, " + o[1] + " printed: " + o[2]; }
  return null;
}
svg.addEventListener("mouseover", e => { const t = explain(e.target); if (t) show(e, t); });
svg.addEventListener("mouseout", () => { tip.style.display = "none"; });
svg.addEventListener("click", e => {
  const t = explain(e.target);
  if (!t) return;
  document.querySelectorAll("rect.sel").forEach(r => r.classList.remove("sel"));
  if (e.target.tagName === "rect") e.target.classList.add("sel");
  document.getElementById("info").textContent = t;
});
svg.addEventListener("wheel", e => {
  e.preventDefault();
  const r = svg.getBoundingClientRect(), px = e.clientX - r.left;
  const t = v0 + (px - LEFT) / (W - LEFT - 10) * (v1 - v0), f = e.deltaY < 0 ? 0.8 : 1.25;
  v0 = t - (t - v0) * f; v1 = t + (v1 - t) * f; render();
}, { passive: false });
let drag = null;
svg.addEventListener("mousedown", e => { drag = { x: e.clientX, v0, v1 }; svg.style.cursor = "grabbing"; });
window.addEventListener("mouseup", () => { drag = null; svg.style.cursor = "grab"; });
window.addEventListener("mousemove", e => {
  if (!drag) return;
  const dt = (e.clientX - drag.x) / (W - LEFT - 10) * (drag.v1 - drag.v0);
  v0 = drag.v0 - dt; v1 = drag.v1 - dt; render();
});
const legend = document.getElementById("legend");
[...new Set(D.bars.map(b => b[3]))].forEach(c => {
  const s = document.createElement("span");
  s.innerHTML = '<i style="background:' + getComputedStyle(document.body).getPropertyValue("color") + '"></i>';
  const sw = document.createElementNS(NS, "svg"); sw.setAttribute("width", 12); sw.setAttribute("height", 12);
  sw.appendChild(el("rect", { x: 0, y: 0, width: 12, height: 12, class: c }));
  s.textContent = ""; s.appendChild(sw); s.appendChild(document.createTextNode(" " + MEANING[c]));
  legend.appendChild(s);
});
document.getElementById("output").textContent =
  D.out.map(o => fmt(o[0]).padStart(9) + " s  " + o[1] + " | " + o[2]).join("\n");
render();
if (location.hash === "#selftest") {
  const bar = svg.querySelector("rect.running");
  bar.dispatchEvent(new MouseEvent("mouseover", { bubbles: true, clientX: 10, clientY: 10 }));
  bar.dispatchEvent(new MouseEvent("click", { bubbles: true }));
  document.body.dataset.lanes = svg.querySelectorAll("text.lane").length;
  document.body.dataset.bars = svg.querySelectorAll("rect").length;
  document.body.dataset.outputs = svg.querySelectorAll("line.out").length;
  document.body.dataset.tip = tip.textContent;
  document.body.dataset.tipShown = tip.style.display;
}
</script>
</body></html>
"##;
