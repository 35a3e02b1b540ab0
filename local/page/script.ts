/**
 * The page's script (plain browser JavaScript, served inline): keeps the last minutes of samples,
 * builds a card per service and queue on the first sample, and redraws their vega-lite charts, numbers,
 * alarm chips, sleeping state and the activity table as server-sent events arrive.
 */
export const PAGE_SCRIPT = String.raw`
const WINDOW_MS = 5 * 60 * 1000;
const state = { info: null, samples: [], views: {}, activities: [] };
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const hhmmss = (t) => new Date(t).toTimeString().slice(0, 8);

function chartSpec(series) {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: "container", height: 140, autosize: { type: "fit-x", contains: "padding" },
    data: { name: "d" },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 2 },
    encoding: {
      x: { field: "t", type: "temporal", title: null, axis: { format: "%H:%M:%S", labelColor: "#6b7785", tickCount: 5, grid: false } },
      y: { field: "v", type: "quantitative", title: null, axis: { tickMinStep: 1, format: "d", labelColor: "#6b7785", gridColor: "#eef1f4" }, scale: { domain: { unionWith: [0, 1] }, nice: true } },
      color: { field: "s", type: "nominal", title: null, scale: { domain: series.map((x) => x[0]), range: series.map((x) => x[1]) }, legend: { orient: "top", direction: "horizontal", labelColor: "#1d2733" } },
      strokeDash: { field: "s", type: "nominal", legend: null, scale: { domain: series.map((x) => x[0]), range: series.map((x) => x[2] || [1, 0]) } },
    },
    config: { view: { stroke: null }, background: "transparent" },
  };
}

function makeView(el, series) {
  const spec = vegaLite.compile(chartSpec(series)).spec;
  const view = new vega.View(vega.parse(spec), { renderer: "svg", container: el, hover: false });
  view.run();
  return view;
}

function ensureCards(sample) {
  const grid = $("grid");
  const before = $("activities-card");
  for (const name of Object.keys(sample.services)) {
    if (state.views["svc:" + name]) continue;
    const owner = (state.info.owners || {})[name] || "";
    const card = document.createElement("section");
    card.className = "card service";
    card.dataset.service = name;
    card.innerHTML = '<h2>' + esc(name) + ' <span class="chip" data-sleep hidden></span></h2><div class="sub">desired count set by ' + esc(owner) + ' <span data-wake></span></div>' +
      '<div class="nums"><div class="num desired"><b data-n="desired">0</b><span>desired</span></div><div class="num running"><b data-n="running">0</b><span>running</span></div><div class="num pending"><b data-n="pending">0</b><span>pending</span></div></div>' +
      '<div class="chart" id="chart-svc-' + esc(name) + '"></div>';
    grid.insertBefore(card, before);
    state.views["svc:" + name] = { card, view: makeView(card.querySelector(".chart"), [["desired", "#1f6feb"], ["running", "#2da44e"], ["pending", "#d29922", [4, 3]]]) };
  }
  for (const name of Object.keys(sample.queues)) {
    if (state.views["q:" + name] || /-dlq$/.test(name)) continue;
    const card = document.createElement("section");
    card.className = "card queue";
    card.dataset.queue = name;
    card.innerHTML = '<h2>queue ' + esc(name) + '</h2><div class="sub">SQS counts from the endpoint; age of the oldest message estimated from them</div>' +
      '<div class="nums"><div class="num desired"><b data-n="visible">0</b><span>visible</span></div><div class="num running"><b data-n="inFlight">0</b><span>in flight</span></div><div class="num pending"><b data-n="age">0 s</b><span>oldest age</span></div></div>' +
      '<div class="chart"></div>';
    grid.insertBefore(card, before);
    state.views["q:" + name] = { card, view: makeView(card.querySelector(".chart"), [["visible", "#1f6feb"], ["in flight", "#2da44e"]]) };
  }
}

function rows(kind, name) {
  const out = [];
  for (const s of state.samples) {
    if (kind === "svc") {
      const v = s.services[name]; if (!v) continue;
      out.push({ t: s.t, s: "desired", v: v.desired }, { t: s.t, s: "running", v: v.running }, { t: s.t, s: "pending", v: v.pending });
    } else {
      const v = s.queues[name]; if (!v) continue;
      out.push({ t: s.t, s: "visible", v: v.visible }, { t: s.t, s: "in flight", v: v.inFlight });
    }
  }
  return out;
}

let drawPending = false;
function draw() {
  drawPending = false;
  const last = state.samples[state.samples.length - 1];
  if (!last) return;
  ensureCards(last);
  for (const [key, entry] of Object.entries(state.views)) {
    const [kind, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    entry.view.change("d", vega.changeset().remove(() => true).insert(rows(kind, name))).resize().run();
    if (kind === "svc") {
      const v = last.services[name];
      for (const f of ["desired", "running", "pending"]) entry.card.querySelector('[data-n="' + f + '"]').textContent = v[f];
      const sl = last.sleepers[name];
      const chip = entry.card.querySelector("[data-sleep]");
      if (sl) {
        chip.hidden = false; chip.className = "chip " + (sl.asleep ? "asleep" : "awake"); chip.textContent = sl.asleep ? "sleeping" : "awake";
        entry.card.querySelector("[data-wake]").innerHTML = '· <a href="' + esc(sl.url) + '" target="_blank" rel="noopener">' + (sl.asleep ? "wake it (open " + esc(sl.url) + ")" : esc(sl.url)) + '</a>';
      }
    } else {
      const v = last.queues[name];
      entry.card.querySelector('[data-n="visible"]').textContent = v.visible;
      entry.card.querySelector('[data-n="inFlight"]').textContent = v.inFlight;
      entry.card.querySelector('[data-n="age"]').textContent = v.oldestAgeSeconds + " s";
    }
  }
  $("alarms").innerHTML = Object.entries(last.alarms).sort().map(([n, s]) => '<span class="chip ' + esc(s) + '" title="' + esc(n) + '">' + esc(n.replace(state.info.stack ? "ecs-autoscaling-" + state.info.stack + "-" : "", "")) + ': ' + esc(s) + '</span>').join(" ") || '<span class="sub">none</span>';
}
function schedule() { if (!drawPending) { drawPending = true; requestAnimationFrame(draw); } }

function addActivity(a) {
  state.activities.unshift(a);
  const tr = document.createElement("tr");
  const dir = a.to > a.from ? "up" : "down";
  tr.innerHTML = '<td class="t">' + hhmmss(a.at) + '</td><td>' + esc(a.service) + '</td><td class="' + dir + '">' + a.from + ' → ' + a.to + '</td><td>' + esc(a.by) + '</td><td>' + esc(a.cause) + '</td>';
  $("activities").prepend(tr);
  while ($("activities").children.length > 200) $("activities").lastChild.remove();
}
function addNote(n) {
  const p = document.createElement("div");
  p.textContent = hhmmss(n.at) + "  " + n.text;
  $("notes").prepend(p);
}

function setInfo(info) {
  state.info = info;
  document.title = info.stack + ": local stack";
  $("title").textContent = "ecs-autoscaling · " + info.stack;
  $("speed").textContent = "CloudWatch time ×" + info.speed;
  $("meta").textContent = "endpoint " + info.endpoint + " · task start " + info.startDelaySeconds + " s" + (info.loadBalancerUrls.length ? " · load balancer " + info.loadBalancerUrls.join(", ") : "");
  $("queue").innerHTML = Object.entries(info.queues).filter(([, n]) => !/-dlq$/.test(n)).map(([k, n]) => '<option value="' + esc(k) + '">' + esc(n) + '</option>').join("");
}

const events = new EventSource("/events");
events.addEventListener("starting", () => { $("meta").textContent = "creating the stack…"; });
events.addEventListener("init", (e) => {
  const d = JSON.parse(e.data);
  setInfo(d.info);
  state.samples = d.samples;
  $("activities").innerHTML = ""; $("notes").innerHTML = "";
  d.activities.forEach(addActivity); d.notes.forEach(addNote);
  if (d.trace) { $("stop").disabled = false; $("status").textContent = "trace " + d.trace.name + " running"; }
  schedule();
});
events.addEventListener("sample", (e) => {
  const s = JSON.parse(e.data);
  state.samples.push(s);
  while (state.samples.length && state.samples[0].t < s.t - WINDOW_MS) state.samples.shift();
  schedule();
});
events.addEventListener("activity", (e) => addActivity(JSON.parse(e.data)));
events.addEventListener("note", (e) => {
  const n = JSON.parse(e.data); addNote(n);
  if (/^trace .* (done|stopped|failed)/.test(n.text)) { $("stop").disabled = true; $("start").disabled = false; $("status").textContent = ""; }
});
events.onerror = () => { $("status").textContent = "disconnected (the stack stopped?)"; };

async function post(path) {
  const r = await fetch(path, { method: "POST" });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}
$("burst").onclick = async () => {
  try { const b = await post("/burst?queue=" + encodeURIComponent($("queue").value) + "&count=" + encodeURIComponent($("count").value)); $("status").textContent = "sent " + b.count + " messages"; }
  catch (err) { $("status").textContent = err.message; }
};
$("start").onclick = async () => {
  try { const b = await post("/trace?queue=" + encodeURIComponent($("queue").value) + "&name=" + encodeURIComponent($("trace").value) + "&speed=" + encodeURIComponent($("tspeed").value));
    $("status").textContent = "trace " + b.name + " running (" + Math.round(b.seconds) + " s)"; $("stop").disabled = false; $("start").disabled = true; }
  catch (err) { $("status").textContent = err.message; }
};
$("stop").onclick = async () => { try { await post("/trace/stop"); } catch (err) { $("status").textContent = err.message; } };
window.addEventListener("resize", schedule);
`;
