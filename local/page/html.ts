/**
 * The live page: one card per service (desired, running and pending tasks over the last minutes, who
 * owns its desired count, sleeping or awake), one per queue (depth, in flight, oldest age), the alarms
 * with their states, and the scaling activities with their causes, updated from server-sent events.
 * Charts are vega-lite specs rendered to SVG by vega in the browser.
 */
import { PAGE_SCRIPT } from "./script";

const STYLE = `
:root { --bg:#f4f6f9; --card:#fff; --ink:#1d2733; --muted:#6b7785; --line:#e3e8ee; --desired:#1f6feb; --running:#2da44e; --pending:#d29922; --alarm:#cf222e; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; flex-wrap:wrap; align-items:center; gap:12px 20px; padding:14px 24px; background:#0d1b2a; color:#fff; }
header h1 { font-size:18px; margin:0; font-weight:600; }
header .meta { color:#b8c4d0; font-size:13px; }
.badge { display:inline-block; padding:2px 8px; border-radius:10px; font-size:12px; font-weight:600; background:#24364a; color:#d8e4f0; }
.badge.speed { background:#1f6feb; color:#fff; }
.controls { display:flex; flex-wrap:wrap; gap:8px; align-items:center; margin-left:auto; }
.controls select, .controls input { padding:5px 6px; border-radius:6px; border:1px solid #3a4e63; background:#13263a; color:#fff; }
.controls input { width:70px; }
button { padding:6px 12px; border-radius:6px; border:0; font-weight:600; cursor:pointer; background:#2da44e; color:#fff; }
button.secondary { background:#3a4e63; }
button:disabled { opacity:.5; cursor:default; }
main { display:grid; grid-template-columns:repeat(auto-fill,minmax(420px,1fr)); gap:16px; padding:16px 24px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.card h2 { font-size:15px; margin:0 0 2px; display:flex; align-items:center; gap:8px; }
.card .sub { color:var(--muted); font-size:12px; margin-bottom:6px; }
.nums { display:flex; gap:18px; margin:4px 0 2px; }
.num b { font-size:24px; font-variant-numeric:tabular-nums; display:block; line-height:1.1; }
.num span { font-size:11px; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; }
.num.desired b { color:var(--desired); } .num.running b { color:var(--running); } .num.pending b { color:var(--pending); }
.chart { width:100%; min-height:150px; }
.chip { font-size:11px; padding:1px 7px; border-radius:9px; font-weight:600; }
.chip.OK { background:#dafbe1; color:#116329; } .chip.ALARM { background:#ffebe9; color:var(--alarm); } .chip.INSUFFICIENT_DATA { background:#eaeef2; color:#57606a; }
.chip.asleep { background:#eaeef2; color:#57606a; } .chip.awake { background:#dafbe1; color:#116329; }
.wide { grid-column:1/-1; }
table { border-collapse:collapse; width:100%; font-size:13px; }
td, th { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; font-size:12px; }
td.t { font-variant-numeric:tabular-nums; color:var(--muted); white-space:nowrap; }
.up { color:var(--running); font-weight:700; } .down { color:var(--pending); font-weight:700; }
#notes { color:var(--muted); font-size:12px; max-height:120px; overflow:auto; }
#status { font-size:12px; }
a { color:var(--desired); }
`;

export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ecs-autoscaling: local stack</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>${STYLE}</style>
<script src="/vendor/vega.min.js"></script><script src="/vendor/vega-lite.min.js"></script>
</head><body>
<header>
  <h1 id="title">local stack</h1>
  <span class="badge speed" id="speed" title="CloudWatch periods, alarms and cooldowns run this many times faster than the wall clock; the queue autoscaler runs in real time">CloudWatch time</span>
  <span class="meta" id="meta">starting…</span>
  <div class="controls">
    <select id="queue" aria-label="queue"></select>
    <input id="count" type="number" min="1" max="2000" value="100" aria-label="messages">
    <button id="burst">Send burst</button>
    <select id="trace" aria-label="trace"><option>ramp</option><option>sawtooth</option><option>burst</option><option>diurnal</option></select>
    <input id="tspeed" type="number" min="1" max="1000" value="10" aria-label="trace speed" title="trace seconds per real second">
    <button id="start" class="secondary">Start trace</button>
    <button id="stop" class="secondary" disabled>Stop</button>
    <span id="status" class="meta"></span>
  </div>
</header>
<main id="grid">
  <section class="card wide" id="activities-card"><h2>Scaling activities</h2><div class="sub">every change of a desired count, newest first, with who made it and why</div>
    <table><thead><tr><th>time</th><th>service</th><th>desired</th><th>by</th><th>cause</th></tr></thead><tbody id="activities"></tbody></table>
    <div id="notes"></div></section>
  <section class="card wide" id="alarms-card"><h2>Alarms</h2><div class="sub">states set by the emulator as CloudWatch would evaluate them</div><div id="alarms"></div></section>
</main>
<script>${PAGE_SCRIPT}</script>
</body></html>`;
