// The Itinerant dashboard: one page, views chosen by the URL's hash
// (#/cluster, #/agents, #/agent/ID, #/sniffer, #/objects), data from
// /api/... and live updates from /api/events (server-sent events).
"use strict";

const ui = {
  state: null,          // the latest /api/state
  sniffed: [],          // ACL messages seen, oldest first (bounded)
  sort: { key: "id", asc: true },
  filter: "",
  chosen: null,         // agents the sniffer shows (null: every one)
};
const MAX_SNIFFED = 500;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function svg(tag, attrs, ...children) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function ms(n) {
  if (n < 1000) return n + " ms";
  const s = n / 1000;
  if (s < 60) return s.toFixed(1) + " s";
  if (s < 3600) return Math.floor(s / 60) + " min " + Math.floor(s % 60) + " s";
  return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
}

function time(msSinceEpoch) {
  const d = new Date(msSinceEpoch);
  return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

function bytes(n) {
  if (n === null || n === undefined) return "?";
  return n > 1 << 20 ? (n / (1 << 20)).toFixed(1) + " MiB" : Math.round(n / 1024) + " KiB";
}

function stateBadge(s) {
  return el("span", { class: "state " + s }, s);
}

async function api(path, method) {
  const r = await fetch(path, { method: method || "GET", credentials: "same-origin" });
  const text = await r.text();
  let body = null;
  try { body = JSON.parse(text); } catch (_) { body = text; }
  if (!r.ok) throw new Error((body && body.error) || text || r.statusText);
  return body;
}

function route() {
  const h = location.hash.replace(/^#\/?/, "") || "cluster";
  const [view, ...rest] = h.split("/");
  return { view, arg: decodeURIComponent(rest.join("/")) };
}

function render() {
  const { view, arg } = route();
  for (const a of document.querySelectorAll("header nav a")) {
    a.classList.toggle("active", a.dataset.view === view || (view === "agent" && a.dataset.view === "agents"));
  }
  const main = document.getElementById("view");
  const keepFocus = document.activeElement && document.activeElement.id;
  // A redraw keeps what was chosen in the form fields.
  const kept = {};
  for (const f of main.querySelectorAll("select[id]")) kept[f.id] = f.value;
  const views = { cluster: clusterView, agents: agentsView, agent: agentView, sniffer: snifferView, objects: objectsView };
  const make = views[view] || clusterView;
  Promise.resolve(make(arg)).then((content) => {
    if (!content) return;
    main.replaceChildren(content);
    for (const [id, v] of Object.entries(kept)) {
      const f = document.getElementById(id);
      if (f && [...f.options].some((o) => o.value === v)) f.value = v;
    }
    if (keepFocus) {
      const f = document.getElementById(keepFocus);
      if (f) { f.focus(); if (f.setSelectionRange) f.setSelectionRange(f.value.length, f.value.length); }
    }
  }).catch((e) => main.replaceChildren(el("p", { class: "err" }, String(e.message || e))));
}

// ----- cluster --------------------------------------------------------------

function clusterView() {
  const s = ui.state;
  if (!s) return el("p", { class: "muted" }, "loading…");
  const me = { name: s.node, addr: s.addr, connected: true, runnable: s.load.runnable, agents: s.load.agents, draining: s.draining, self: true };
  const nodes = [me, ...s.peers];
  const cards = nodes.map((n) =>
    el("div", { class: "card", "data-node": n.name },
      el("div", { class: "title" }, n.name, n.self ? " (this node)" : ""),
      el("div", { class: "sub" }, n.addr),
      el("div", { class: "big" }, n.agents === null || n.agents === undefined ? "?" : n.agents, el("span", { class: "sub" }, " agents")),
      el("div", { class: "sub" }, "runnable ", n.runnable === null || n.runnable === undefined ? "?" : n.runnable,
        n.draining ? " · draining" : "", n.self ? " · memory " + bytes(s.load.memory_bytes) : "",
        n.self ? "" : (n.connected ? " · link up" : " · link down"))));
  const by = Object.entries(s.load.by_state).map(([k, v]) => el("span", { style: "margin-right:12px" }, stateBadge(k), " ", v));
  const c = s.counters;
  return el("div", {},
    el("h2", {}, "Cluster"),
    el("div", { class: "cards" }, cards),
    el("div", { class: "grid2" },
      el("div", {}, el("h3", {}, "Links"), linksDiagram(me, s.peers)),
      el("div", {},
        el("h3", {}, "This node"),
        el("p", {}, by),
        el("table", {},
          el("tr", {}, el("th", {}, "spawns"), el("th", {}, "migrations in"), el("th", {}, "out"), el("th", {}, "messages in"), el("th", {}, "out"), el("th", {}, "forwarded")),
          el("tr", {}, el("td", {}, c.spawns), el("td", {}, c.migrations_in), el("td", {}, c.migrations_out), el("td", {}, c.messages_in), el("td", {}, c.messages_out), el("td", {}, c.forwarded))),
        el("p", { class: "muted" }, "Prometheus text: ", el("a", { href: "/metrics" }, "/metrics")))));
}

function linksDiagram(me, peers) {
  const w = 420, h = 260, cx = w / 2, cy = h / 2, r = 85;
  const root = svg("svg", { width: w, height: h, viewBox: `0 0 ${w} ${h}`, style: "background:#fff;border:1px solid #d8dde3;border-radius:6px" });
  const pos = peers.map((p, i) => {
    const a = (2 * Math.PI * i) / Math.max(peers.length, 1) - Math.PI / 2;
    return { p, x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) };
  });
  for (const { p, x, y } of pos) {
    root.append(svg("line", { x1: cx, y1: cy, x2: x, y2: y, stroke: p.connected ? "#1f9d55" : "#d64545", "stroke-width": 2, "stroke-dasharray": p.connected ? "" : "5,4" }));
  }
  // A peer's name goes outside the circle, away from this node's.
  const node = (x, y, name, fill, n) => {
    const d = Math.hypot(x - cx, y - cy) || 1, lx = x === cx && y === cy ? x : x + ((x - cx) / d) * 40, ly = x === cx && y === cy ? y + 42 : y + ((y - cy) / d) * 40 + 4;
    root.append(svg("circle", { cx: x, cy: y, r: 26, fill, stroke: "#1d232b" }));
    root.append(svg("text", { x, y: y + 4, "text-anchor": "middle", fill: "#fff" }, n === null || n === undefined ? "?" : n));
    root.append(svg("text", { x: lx, y: ly, "text-anchor": "middle" }, name));
  };
  node(cx, cy, me.name, "#2f6fde", me.agents);
  for (const { p, x, y } of pos) node(x, y, p.name, p.draining ? "#c98a00" : "#5b6b7d", p.agents);
  return root;
}

// ----- agents ---------------------------------------------------------------

function agentsView() {
  const s = ui.state;
  if (!s) return el("p", { class: "muted" }, "loading…");
  const f = ui.filter.toLowerCase();
  let rows = s.agents.filter((a) => !f || [a.id, a.name || "", a.owner, a.state, a.node].some((v) => v.toLowerCase().includes(f)));
  const k = ui.sort.key;
  const num = (id) => parseInt(id, 10) || 0;
  rows.sort((a, b) => {
    const x = k === "id" ? num(a.id) : a[k] === null ? "" : a[k];
    const y = k === "id" ? num(b.id) : b[k] === null ? "" : b[k];
    return (x < y ? -1 : x > y ? 1 : 0) * (ui.sort.asc ? 1 : -1);
  });
  const cols = [["id", "id"], ["name", "name"], ["owner", "owner"], ["state", "state"], ["language", "lang"], ["node", "node"], ["age_ms", "age"], ["mailbox", "mailbox"]];
  const head = el("tr", {}, cols.map(([key, label]) =>
    el("th", { class: ui.sort.key === key ? "sorted" + (ui.sort.asc ? " asc" : "") : "", onclick: () => {
      ui.sort = { key, asc: ui.sort.key === key ? !ui.sort.asc : true };
      render();
    } }, label)));
  const body = rows.map((a) =>
    el("tr", { "data-agent-id": a.id, "data-node": a.node, "data-state": a.state },
      el("td", { class: "mono" }, el("a", { href: "#/agent/" + encodeURIComponent(a.id) }, a.id)),
      el("td", {}, a.name || ""),
      el("td", {}, a.owner || el("span", { class: "muted" }, "unsigned")),
      el("td", {}, stateBadge(a.state)),
      el("td", {}, a.language || el("span", { class: "muted" }, "?")),
      el("td", { class: "mono" }, a.node),
      el("td", {}, ms(a.age_ms)),
      el("td", {}, a.mailbox)));
  return el("div", {},
    el("h2", {}, "Agents"),
    el("div", { class: "toolbar" },
      el("input", { id: "agent-filter", placeholder: "filter (id, name, owner, state, node)", size: 40, value: ui.filter,
        oninput: (e) => { ui.filter = e.target.value; render(); } }),
      el("span", { class: "muted" }, `${rows.length} shown of ${s.agents_total}`)),
    el("table", { id: "agents" }, head, body));
}

// ----- one agent -------------------------------------------------------------

async function agentView(id) {
  let a;
  try {
    a = await api("/api/agent/" + encodeURIComponent(id));
  } catch (e) {
    return el("div", {}, el("h2", {}, "Agent ", id), el("p", { class: "err" }, String(e.message)));
  }
  const peers = ui.state ? ui.state.peers.map((p) => p.name) : [];
  const msg = el("div", { class: "msg", id: "action-msg" }, a.move ? el("span", { class: "err" }, a.move) : "");
  const act = (action, extra) => async () => {
    try {
      const r = await api(`/api/agent/${encodeURIComponent(id)}/${action}${extra ? extra() : ""}`, "POST");
      msg.replaceChildren(r.ok);
    } catch (e) {
      msg.replaceChildren(el("span", { class: "err" }, e.message));
    }
    setTimeout(render, 300);
  };
  const dest = el("select", { id: "migrate-to" }, peers.map((p) => el("option", { value: p }, p)));
  const controls = a.here
    ? el("div", { class: "toolbar" },
        el("button", { onclick: act("suspend") }, "Suspend"),
        el("button", { onclick: act("resume") }, "Resume"),
        el("button", { class: "danger", onclick: act("kill") }, "Kill"),
        el("span", {}, " migrate to "), dest,
        el("button", { onclick: act("migrate", () => "?to=" + encodeURIComponent(dest.value)), disabled: peers.length ? null : "" }, "Migrate"))
    : el("p", { class: "muted" }, a.state === "moved" ? `It lives on ${a.node} now; its itinerary here ends when it left.` : "It has ended.");
  const hops = a.itinerary.hops;
  const itin = el("table", { id: "itinerary" },
    el("tr", {}, el("th", {}, "#"), el("th", {}, "node"), el("th", {}, "arrived"), el("th", {}, "left"), el("th", {}, "stayed")),
    hops.map((h, i) => el("tr", { "data-hop": h.node },
      el("td", {}, a.itinerary.dropped + i + 1),
      el("td", { class: "mono" }, h.node),
      el("td", {}, time(h.arrived_ms)),
      el("td", {}, h.left_ms ? time(h.left_ms) : el("span", { class: "muted" }, a.here && i === hops.length - 1 ? "here now" : "")),
      el("td", {}, h.left_ms ? ms(h.left_ms - h.arrived_ms) : ""))));
  const res = a.resources.length
    ? el("table", {}, el("tr", {}, Object.keys(a.resources[0]).map((k) => el("th", {}, k))),
        a.resources.map((r) => el("tr", {}, Object.values(r).map((v) => el("td", { class: "mono" }, v)))))
    : el("p", { class: "muted" }, "no bindings");
  const outcome = a.outcome
    ? el("p", {}, "Ended: ", a.outcome.ok !== undefined ? el("span", { class: "mono" }, a.outcome.ok) : el("span", { class: "err mono" }, a.outcome.error))
    : null;
  return el("div", { "data-agent": a.id },
    el("h2", {}, "Agent ", el("span", { class: "mono" }, a.id), a.name ? ` (${a.name})` : "", " ", stateBadge(a.state)),
    el("div", { class: "cards" },
      el("div", { class: "card" }, el("div", { class: "sub" }, "node"), el("div", { class: "title" }, a.node)),
      el("div", { class: "card" }, el("div", { class: "sub" }, "owner"), el("div", { class: "title" }, a.owner || "unsigned")),
      el("div", { class: "card" }, el("div", { class: "sub" }, "language"), el("div", { class: "title" }, a.language || "?")),
      el("div", { class: "card" }, el("div", { class: "sub" }, "mailbox"), el("div", { class: "big" }, a.mailbox)),
      el("div", { class: "card" }, el("div", { class: "sub" }, "age"), el("div", { class: "big" }, ms(a.age_ms)))),
    controls, msg, outcome,
    el("div", { class: "grid2" },
      el("div", {}, el("h3", {}, "Itinerary"), itinTimeline(hops), itin),
      el("div", {}, el("h3", {}, "Console"), el("pre", { class: "console", id: "console" }, a.console || "(nothing written yet)"),
        el("h3", {}, "Resource bindings"), res)));
}

function itinTimeline(hops) {
  if (!hops.length) return el("p", { class: "muted" }, "no hops known");
  const w = 460, h = 40, t0 = hops[0].arrived_ms;
  const t1 = Math.max(Date.now(), ...hops.map((x) => x.left_ms || x.arrived_ms));
  const span = Math.max(t1 - t0, 1);
  const palette = ["#2f6fde", "#1f9d55", "#c98a00", "#7a4cc2", "#d64545", "#0f8b8d"];
  const nodes = [...new Set(hops.map((x) => x.node))];
  const root = svg("svg", { width: w, height: h, style: "display:block;margin-bottom:8px" });
  hops.forEach((x) => {
    const a = ((x.arrived_ms - t0) / span) * w, b = (((x.left_ms || t1) - t0) / span) * w;
    root.append(svg("rect", { x: a, y: 4, width: Math.max(b - a, 2), height: 18, fill: palette[nodes.indexOf(x.node) % palette.length] },
      svg("title", {}, x.node)));
  });
  nodes.forEach((n, i) => root.append(svg("text", { x: i * 80, y: 36, fill: palette[i % palette.length] }, "■ " + n)));
  return root;
}

// ----- sniffer ----------------------------------------------------------------

function snifferView() {
  const all = [...new Set(ui.sniffed.flatMap((m) => [m.from || "(outside)", m.to]))].sort();
  const chosen = ui.chosen ? all.filter((a) => ui.chosen.has(a)) : all;
  const chips = el("div", { class: "chips" }, all.map((a) =>
    el("label", {}, el("input", { type: "checkbox", checked: chosen.includes(a) ? "" : null, onchange: (e) => {
      ui.chosen = ui.chosen || new Set(all);
      if (e.target.checked) ui.chosen.add(a); else ui.chosen.delete(a);
      render();
    } }), " ", a)));
  const shown = ui.sniffed.filter((m) => chosen.includes(m.from || "(outside)") && chosen.includes(m.to));
  return el("div", {},
    el("h2", {}, "Sniffer"),
    el("p", { class: "muted" }, "ACL messages delivered to agents on this node, or sent by them to other nodes, as they happen. Choose the agents to watch:"),
    all.length ? chips : el("p", { class: "muted" }, "no messages yet"),
    el("div", { class: "toolbar" },
      el("button", { onclick: () => { ui.chosen = null; render(); } }, "All"),
      el("button", { onclick: () => { ui.chosen = new Set(); render(); } }, "None"),
      el("button", { onclick: () => { ui.sniffed = []; render(); } }, "Clear")),
    sequenceDiagram(chosen, shown.slice(-60)));
}

function sequenceDiagram(agents, msgs) {
  const colW = 170, top = 40, rowH = 34, left = 20;
  const w = Math.max(left * 2 + colW * agents.length, 400), h = top + rowH * (msgs.length + 1) + 10;
  const root = svg("svg", { id: "sequence", width: w, height: h, style: "background:#fff;border:1px solid #d8dde3;border-radius:6px" });
  const defs = svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
    svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#1d232b" })));
  root.append(defs);
  const x = (a) => left + colW * agents.indexOf(a) + colW / 2;
  agents.forEach((a) => {
    root.append(svg("rect", { x: x(a) - 70, y: 6, width: 140, height: 24, rx: 4, fill: "#eef1f4", stroke: "#b8c2cc" }));
    root.append(svg("text", { x: x(a), y: 22, "text-anchor": "middle" }, a));
    root.append(svg("line", { x1: x(a), y1: 30, x2: x(a), y2: h - 6, stroke: "#b8c2cc", "stroke-dasharray": "4,4" }));
  });
  const colours = {};
  const palette = ["#2f6fde", "#1f9d55", "#c98a00", "#7a4cc2", "#d64545", "#0f8b8d"];
  msgs.forEach((m, i) => {
    const y = top + rowH * (i + 1);
    const conv = m.conversation || "";
    colours[conv] = colours[conv] || palette[Object.keys(colours).length % palette.length];
    const x1 = x(m.from || "(outside)"), x2 = x(m.to);
    const g = svg("g", { class: "message", "data-performative": m.performative, "data-conversation": conv });
    if (x1 === x2) {
      g.append(svg("path", { d: `M ${x1} ${y - 8} h 30 v 14 h -28`, fill: "none", stroke: colours[conv], "marker-end": "url(#arrow)" }));
    } else {
      g.append(svg("line", { x1, y1: y, x2, y2: y, stroke: colours[conv], "stroke-width": 1.6, "marker-end": "url(#arrow)" }));
    }
    const label = m.performative + (conv ? ` (${conv})` : "");
    g.append(svg("text", { x: (x1 + x2) / 2 + (x1 === x2 ? 36 : 0), y: y - 5, "text-anchor": x1 === x2 ? "start" : "middle", fill: colours[conv] },
      label, svg("title", {}, `${time(m.at_ms)} ${m.from} → ${m.to}\n${m.content}`)));
    root.append(g);
  });
  return root;
}

// ----- objects ----------------------------------------------------------------

async function objectsView() {
  const o = await api("/api/objects");
  return el("div", {},
    el("h2", {}, "Object adapters"),
    o.adapters.length
      ? el("table", { id: "adapters" },
          el("tr", {}, ["adapter", "policy", "objects", "running", "queued", "calls", "mean latency"].map((h) => el("th", {}, h))),
          o.adapters.map((a) => el("tr", {},
            el("td", { class: "mono" }, a.name), el("td", { class: "mono" }, a.policy), el("td", {}, a.objects),
            el("td", {}, a.running), el("td", {}, a.queued), el("td", {}, a.calls),
            el("td", {}, a.mean_ms === null ? "" : a.mean_ms.toFixed(2) + " ms"))))
      : el("p", { class: "muted" }, "no adapters"),
    el("h3", {}, "Objects"),
    o.objects.length
      ? el("table", { id: "objects" },
          el("tr", {}, ["reference", "kind", "active", "activations", "calls"].map((h) => el("th", {}, h))),
          o.objects.map((x) => el("tr", {},
            el("td", { class: "mono" }, x.reference), el("td", {}, x.kind), el("td", {}, x.active),
            el("td", {}, x.activations), el("td", {}, x.calls))))
      : el("p", { class: "muted" }, "no objects"));
}

// ----- live updates -------------------------------------------------------------

function takeSniffed(rows) {
  if (!rows.length) return false;
  ui.sniffed.push(...rows);
  if (ui.sniffed.length > MAX_SNIFFED) ui.sniffed.splice(0, ui.sniffed.length - MAX_SNIFFED);
  return true;
}

function takeState(s) {
  ui.state = s;
  document.getElementById("node-name").textContent = s.node + " · " + s.addr;
}

// Views redrawn by live updates (an agent's page and the objects are
// redrawn less often: they ask the server themselves).
let tick = 0;
function liveRender(sniffChanged) {
  const v = route().view;
  tick++;
  if (v === "cluster" || v === "agents" || (v === "sniffer" && sniffChanged) || (v === "agent" || v === "objects") && tick % 2 === 0) render();
}

// Polling instead of server-sent events (`?live=poll`): for clients that
// cannot keep a stream open (a headless browser's virtual time waits for it).
function poll() {
  const live = document.getElementById("live");
  const after = ui.sniffed.length ? ui.sniffed[ui.sniffed.length - 1].seq : 0;
  Promise.all([api("/api/state"), api("/api/sniff?after=" + after)])
    .then(([s, m]) => { takeState(s); const changed = takeSniffed(m); live.className = "live on"; liveRender(changed); })
    .catch(() => { live.className = "live off"; })
    .then(() => setTimeout(poll, 500));
}

function connect() {
  if (new URLSearchParams(location.search).get("live") === "poll") return poll();
  const live = document.getElementById("live");
  const after = ui.sniffed.length ? ui.sniffed[ui.sniffed.length - 1].seq : 0;
  const es = new EventSource("/api/events?after=" + after);
  es.addEventListener("state", (e) => { takeState(JSON.parse(e.data)); live.className = "live on"; liveRender(false); });
  es.addEventListener("sniff", (e) => { if (takeSniffed(JSON.parse(e.data))) liveRender(true); });
  es.onerror = () => { live.className = "live off"; };
}

window.addEventListener("hashchange", render);
Promise.all([api("/api/state").then(takeState), api("/api/sniff").then(takeSniffed)])
  .catch(() => {})
  .then(() => { render(); connect(); });
