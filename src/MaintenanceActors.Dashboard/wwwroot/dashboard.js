// The maintenance dashboard's page: one EventSource (a snapshot, then every change of the server's one etcd watch), a view
// rebuilt from that state, and a dialog that writes through POST api/maintenance with the token. No polling of the server.
"use strict";

const TOKEN_KEY = "maintenance-dashboard-token";
const WINDOW_MS = 15 * 60 * 1000;
const MAX_TRANSITIONS = 2000;
const COLORS = {
  serving: "var(--serving)", draining: "var(--draining)", drained: "var(--drained)", "timed-out": "var(--timed-out)",
  resuming: "var(--resuming)", on: "var(--on)", off: "var(--off)", gone: "var(--gone)", malformed: "var(--malformed)",
};

const state = { entries: new Map(), timeline: [], link: null, revision: 0, streamOpen: false };
let pending = null; // the change the dialog is about to write

function $(id) { return document.getElementById(id); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value; else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "text") node.textContent = value; else node.setAttribute(name, value);
  }
  return node;
}

// ---- token: from the URL fragment printed at start (never sent to the server in a URL), kept for this tab only ----
function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }

function takeTokenFromUrl() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  const input = $("token-input");
  input.value = token();
  $("token-box").hidden = token() !== "";
  input.addEventListener("input", () => sessionStorage.setItem(TOKEN_KEY, input.value.trim()));
}

// ---- the event stream ----
function connect() {
  const source = new EventSource("events");
  source.addEventListener("open", () => { state.streamOpen = true; schedule(); });
  source.addEventListener("error", () => { state.streamOpen = false; schedule(); });
  source.addEventListener("snapshot", (e) => {
    const snapshot = JSON.parse(e.data);
    state.entries = new Map(snapshot.entries.map((entry) => [entry.key, entry]));
    state.timeline = snapshot.timeline.slice(-MAX_TRANSITIONS);
    state.link = snapshot.etcd;
    state.revision = snapshot.revision;
    schedule();
  });
  source.addEventListener("change", (e) => {
    const change = JSON.parse(e.data);
    if (change.deleted) state.entries.delete(change.key); else state.entries.set(change.key, change.entry);
    if (change.transition) {
      state.timeline.push(change.transition);
      if (state.timeline.length > MAX_TRANSITIONS) state.timeline.shift();
    }
    state.revision = Math.max(state.revision, change.revision);
    schedule();
  });
  source.addEventListener("etcd", (e) => { state.link = JSON.parse(e.data); schedule(); });
}

let frame = 0;
function schedule() {
  if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); });
}

// ---- the model: services, each with its service-wide key and its instances (status and/or instance key) ----
function model() {
  const services = new Map();
  const service = (name) => {
    if (!services.has(name)) services.set(name, { name, key: null, instances: new Map() });
    return services.get(name);
  };
  for (const entry of state.entries.values()) {
    const s = service(entry.service);
    if (entry.kind === "Service") { s.key = entry; continue; }
    if (!s.instances.has(entry.instance)) s.instances.set(entry.instance, { id: entry.instance, status: null, key: null });
    const instance = s.instances.get(entry.instance);
    if (entry.kind === "Status") instance.status = entry; else instance.key = entry;
  }
  return [...services.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function relative(iso) {
  if (!iso) return "";
  const ms = Date.parse(iso) - Date.now();
  const minutes = Math.round(Math.abs(ms) / 60000);
  const text = minutes < 1 ? "<1 min" : minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

function scheduleText(raw) {
  try {
    const value = JSON.parse(raw);
    const parts = [];
    if (Array.isArray(value.windows)) parts.push(`${value.windows.length} window(s)`);
    if (Array.isArray(value.weekly)) parts.push(value.weekly.map((w) => `${(w.days || []).join(",")} ${w.start}-${w.end} ${w.timeZone || ""}`.trim()).join("; "));
    return parts.join(", ");
  } catch { return ""; }
}

function keyBadge(entry) {
  if (!entry) return el("span", { class: "badge off", text: "no key" });
  const v = entry.value;
  const schedule = v ? scheduleText(v.raw) : "";
  // A schedule is shown as such even where this build's value parser does not read windows yet.
  if (entry.malformed && !schedule) return el("span", { class: "badge malformed", title: entry.malformed, text: "malformed" });
  return el("span", { class: `badge ${v.enabled ? "on" : "off"}`, title: v.raw, text: v.enabled ? "on" : schedule ? `scheduled: ${schedule}` : "off" });
}

function progressCell(status) {
  if (!status) return el("td", { class: "progress" });
  const resources = Array.isArray(status.resources) ? status.resources : [];
  const settled = resources.filter((r) => r.outcome || ["drained", "timed-out", "failed"].includes(r.state)).length;
  const cell = el("td", { class: "progress" });
  if (status.phase && status.phase !== "serving" && resources.length) {
    cell.append(el("progress", { max: String(resources.length), value: String(settled), title: `${settled}/${resources.length} resources settled` }), " ");
  }
  cell.append(el("span", { class: "in-flight", text: `in flight ${status.inFlight ?? 0}` }));
  if (status.drainDurationMs != null) cell.append(el("span", { class: "muted", text: ` · ${status.drainDurationMs} ms` }));
  if (resources.length) {
    cell.append(el("div", { class: "resources", text: resources.map((r) => `${r.name}: ${r.outcome || r.state}${r.inFlight ? ` (${r.inFlight})` : ""}`).join(" · ") }));
  }
  return cell;
}

function actionButtons(service, instance) {
  const box = el("span", { class: "actions" });
  for (const [action, label] of [["enable", "Enable…"], ["disable", "Disable…"]]) {
    const button = el("button", { type: "button", "data-action": action, "data-service": service, "data-instance": instance, text: label });
    button.addEventListener("click", () => openDialog(service, instance, action === "enable"));
    box.append(button);
  }
  return box;
}

function instanceRow(service, instance) {
  const status = instance.status ? instance.status.value : null;
  const key = instance.key ? instance.key.value : null;
  const phase = status ? status.phase || "unknown" : "no status";
  const inMaintenance = status ? status.inMaintenance : key ? key.enabled : false;
  const source = status && status.source ? ` (${status.source})` : "";
  const reason = (status && status.reason) || (key && key.reason) || "";
  const by = (status && status.by) || (key && key.by) || "";
  const until = (status && status.until) || (key && key.until) || "";
  return el("tr", { "data-service": service.name, "data-instance": instance.id },
    el("td", { class: "instance", text: instance.id }),
    el("td", { class: "phase" }, el("span", { class: `badge ${phase.replace(/\s/g, "-")}`, text: phase })),
    el("td", { class: "maintenance" }, el("span", { class: `badge ${inMaintenance ? "on" : "off"}`, text: (inMaintenance ? "on" : "off") + source }),
      instance.key ? " instance key: " : null, instance.key ? keyBadge(instance.key) : null),
    el("td", { class: "reason", text: reason }),
    el("td", { class: "by", text: by }),
    el("td", { class: "until", title: until, text: relative(until) }),
    progressCell(status),
    el("td", { class: "host muted", text: status ? [status.host, status.version, status.epoch != null ? `epoch ${status.epoch}` : null].filter(Boolean).join(" · ") : "" }),
    el("td", { class: "updated muted", title: status ? status.updatedAt || "" : "", text: status ? relative(status.updatedAt) : "" }),
    el("td", { class: "actions" }, actionButtons(service.name, instance.id)));
}

function serviceSection(service) {
  const v = service.key ? service.key.value : null;
  const head = el("div", { class: "service-head" },
    el("h2", { text: service.name }),
    el("span", { class: "muted", text: "service-wide:" }), keyBadge(service.key),
    el("span", { class: "service-reason", text: v && v.reason ? v.reason : "" }),
    el("span", { class: "muted", text: v && v.by ? `by ${v.by}` : "" }),
    el("span", { class: "muted", title: v && v.until ? v.until : "", text: v && v.until ? `until ${relative(v.until)}` : "" }),
    el("span", { class: "spacer" }),
    actionButtons(service.name, null));
  const table = el("table", {},
    el("thead", {}, el("tr", {}, ...["instance", "phase", "maintenance", "reason", "by", "until", "drain", "host", "updated", ""].map((h) => el("th", { text: h })))),
    el("tbody", {}, ...[...service.instances.values()].sort((a, b) => a.id.localeCompare(b.id)).map((i) => instanceRow(service, i))));
  return el("section", { class: "service", "data-service": service.name }, head, service.instances.size ? table : el("p", { class: "muted", text: "no instances report status" }));
}

function renderLink() {
  const link = $("link");
  if (!state.streamOpen) {
    link.className = "badge off";
    link.textContent = "page: reconnecting…";
  } else if (state.link && state.link.connected) {
    link.className = "badge ok";
    link.textContent = "etcd: live";
    link.title = "";
  } else if (state.link) {
    link.className = "badge timed-out";
    link.textContent = `etcd: away ${relative(state.link.since).replace(" ago", "")}`;
    link.title = state.link.error || "";
  }
  $("revision").textContent = state.revision ? `revision ${state.revision}` : "";
}

function renderTimeline() {
  const chart = $("timeline");
  const lanes = new Map();
  for (const t of state.timeline) {
    const lane = t.instance ? `${t.service}/${t.instance}${t.kind === "Instance" ? " (key)" : ""}` : `${t.service} (service)`;
    if (!lanes.has(lane)) lanes.set(lane, []);
    lanes.get(lane).push(t);
  }
  const names = [...lanes.keys()].sort();
  const section = $("timeline-section");
  section.hidden = names.length === 0;
  if (section.hidden) return;
  const width = Math.max(section.clientWidth || 800, 400);
  const left = 200, right = 10, laneHeight = 18, top = 20;
  const height = top + names.length * laneHeight + 6;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  chart.setAttribute("width", String(width));
  chart.setAttribute("height", String(height));
  chart.replaceChildren();
  const now = Date.now(), from = now - WINDOW_MS;
  const x = (time) => left + ((Math.max(time, from) - from) / WINDOW_MS) * (width - left - right);
  for (let minute = 0; minute <= 15; minute += 5) {
    const at = from + minute * 60000;
    chart.append(svg("text", { class: "axis", x: String(x(at) - 10), y: "12", text: minute === 15 ? "now" : `-${15 - minute}m` }));
  }
  names.forEach((name, index) => {
    const y = top + index * laneHeight;
    chart.append(svg("text", { x: "4", y: String(y + 12), text: name }));
    const points = lanes.get(name).slice().sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    points.forEach((point, i) => {
      const start = Date.parse(point.at);
      const end = i + 1 < points.length ? Date.parse(points[i + 1].at) : now;
      if (end < from) return;
      const rect = svg("rect", { x: String(x(start)), y: String(y + 2), width: String(Math.max(1, x(end) - x(start))), height: String(laneHeight - 5),
        fill: COLORS[point.state] || "var(--gone)", "data-state": point.state });
      rect.append(svg("title", { text: `${name}: ${point.state} from ${new Date(start).toLocaleTimeString()}${point.reason ? ` (${point.reason})` : ""}${point.by ? ` by ${point.by}` : ""}` }));
      chart.append(rect);
    });
  });
}

function render() {
  renderLink();
  const services = model();
  $("empty").hidden = services.length > 0;
  $("services").replaceChildren(...services.map(serviceSection));
  renderTimeline();
}

function renderLegend() {
  $("legend").replaceChildren(...Object.entries(COLORS).map(([name, color]) => {
    const item = el("span", { text: name });
    item.style.setProperty("--c", color);
    return item;
  }));
}

// ---- writes ----
function openDialog(service, instance, enabled) {
  pending = { service, instance, enabled };
  $("change-title").textContent = `${enabled ? "Enable" : "Disable"} maintenance`;
  $("change-target").textContent = instance ? `instance ${instance} of ${service}` : `every instance of ${service} (service-wide key)`;
  $("change-reason").value = "";
  $("change-for").value = "";
  $("change-for-box").hidden = !enabled;
  $("change-error").textContent = "";
  $("change-token").value = "";
  $("change-token-box").hidden = token() !== "";
  $("change-dialog").showModal();
  $("change-reason").focus();
}

async function submitChange(event) {
  event.preventDefault();
  if (!pending) return;
  const reason = $("change-reason").value.trim();
  if (!reason) { $("change-error").textContent = "Say why: every change records who and why."; return; }
  const typed = $("change-token").value.trim();
  if (typed) { sessionStorage.setItem(TOKEN_KEY, typed); $("token-input").value = typed; }
  if (!token()) { $("change-error").textContent = "Give the dashboard token first."; $("change-token-box").hidden = false; return; }
  const body = { service: pending.service, instance: pending.instance, enabled: pending.enabled, reason };
  const by = $("change-by").value.trim();
  if (by) body.by = by;
  const forSeconds = $("change-for").value;
  if (pending.enabled && forSeconds) body.forSeconds = Number(forSeconds);
  $("change-confirm").disabled = true;
  try {
    const response = await fetch("api/maintenance", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Maintenance-Token": token() },
      body: JSON.stringify(body),
    });
    if (response.ok) { $("change-dialog").close(); pending = null; return; }
    let detail = `${response.status}`;
    try { const problem = await response.json(); detail = `${problem.title}: ${problem.detail}`; } catch { /* not JSON */ }
    if (response.status === 401) { $("token-box").hidden = false; $("change-token-box").hidden = false; }
    $("change-error").textContent = detail;
  } catch (error) {
    $("change-error").textContent = `The dashboard did not answer (${error.message}).`;
  } finally {
    $("change-confirm").disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  takeTokenFromUrl();
  renderLegend();
  $("change-form").addEventListener("submit", submitChange);
  $("change-cancel").addEventListener("click", () => { pending = null; $("change-dialog").close(); });
  connect();
  render();
  // Only moves the timeline's "now" edge and the relative times; the data comes from the event stream alone.
  setInterval(schedule, 5000);
  window.addEventListener("resize", schedule);
});
