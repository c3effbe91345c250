// The operator console (/console): the admin API, with the same validation messages, behind the admin key.
const el = (id) => document.getElementById(id);
let key = sessionStorage.getItem("handoff:admin-key") ?? "";
let current = null, liveTimer = null;

async function api(method, path, body) {
  const response = await fetch(path, {
    method, headers: { "Authorization": `Bearer ${key}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 401) throw new Error("the admin key was refused");
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  return { ok: response.ok, status: response.status, data };
}

function showErrors(list, problem) {
  list.replaceChildren();
  for (const [field, messages] of Object.entries(problem?.errors ?? {})) {
    for (const message of messages) {
      const li = document.createElement("li");
      li.textContent = `${field}: ${message}`;
      list.append(li);
    }
  }
  if (!problem?.errors && problem?.detail) { const li = document.createElement("li"); li.textContent = problem.detail; list.append(li); }
}

async function loadAgents() {
  const { data } = await api("GET", "/api/agents");
  const list = el("agents");
  list.replaceChildren();
  for (const agent of data) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = agent.agentId;
    const status = document.createElement("span");
    status.className = "status";
    status.textContent = agent.helpDeskStatus;
    button.append(status);
    button.addEventListener("click", () => openAgent(agent.agentId));
    li.append(button);
    list.append(li);
  }
}

// The registered help-desk kinds (GET /api/helpdesk-kinds): the kind list, each kind's starting settings, its help
// lines and whether it has a consent page or a department list all come from the desks' own descriptors.
let kinds = [];

async function loadKinds() {
  const { data } = await api("GET", "/api/helpdesk-kinds");
  kinds = data ?? [];
  const select = el("desk-kind");
  const chosen = select.value;
  select.replaceChildren(...kinds.map((k) => new Option(`${k.displayName} (${k.kind})`, k.kind)));
  if (chosen) select.value = chosen;
  if (!current) el("desk-settings").value = JSON.stringify(kindOf(select.value)?.template ?? {}, null, 2);
  showKind(select.value);
}

const kindOf = (kind) => kinds.find((k) => k.kind === kind);

function showKind(kind) {
  const k = kindOf(kind);
  const consent = k?.capabilities.includes("needsConsent") && k.consent;
  el("desk-extras").hidden = !consent && !k?.departmentKey;
  el("consent-authorize").hidden = el("consent-intro").hidden = !consent;
  if (consent) {
    el("consent-authorize").textContent = `Authorise with ${k.consent.providerName}`;
    el("consent-intro").textContent = `${k.displayName} is used once you authorise it at ${k.consent.providerName}. Connect first, then:`;
  }
  el("departments").hidden = !k?.departmentKey;
  const help = el("desk-help");
  help.replaceChildren();
  for (const key of [...(k?.required ?? []), ...(k?.optional ?? [])]) {
    const dt = document.createElement("dt");
    dt.textContent = k.required.includes(key) ? key : `${key} (optional)`;
    const dd = document.createElement("dd");
    dd.textContent = k.help?.[key] ?? "";
    help.append(dt, dd);
  }
}

function showDesk(desk) {
  showKind(desk.kind ?? el("desk-kind").value);
  el("desk-status").textContent = desk.status;
  el("desk-detail").textContent = desk.statusDetail ? `(${desk.statusDetail})` : "";
  el("receiving-address").textContent = desk.receivingAddress ?? "—";
  el("receiving-key").textContent = desk.receivingKey ?? "—";
  if (desk.kind) el("desk-kind").value = desk.kind;
}

async function openAgent(agentId) {
  current = agentId;
  el("agent").hidden = false;
  el("agent-title").textContent = agentId;
  const settings = await api("GET", `/api/agents/${agentId}/handoff`);
  const { helpDeskStatus, ...editable } = settings.data ?? {};
  el("settings").value = JSON.stringify(editable, null, 2);
  showDesk((await api("GET", `/api/agents/${agentId}/helpdesk`)).data);
  el("window-date").value ||= new Date().toISOString().slice(0, 10);
  clearInterval(liveTimer);
  await refreshLive();
  liveTimer = setInterval(refreshLive, 3000);
}

async function refreshLive() {
  if (!current) return;
  const { data } = await api("GET", `/api/agents/${current}/conversations`);
  const rows = (data ?? []).map((c) => {
    const tr = document.createElement("tr");
    for (const value of [c.conversationId.slice(0, 10) + "…", c.channel, c.reason ? `${c.state} (${c.reason})` : c.state, c.email ?? "", new Date(c.at).toLocaleTimeString()]) {
      const td = document.createElement("td");
      td.textContent = value;
      tr.append(td);
    }
    return tr;
  });
  el("live").replaceChildren(...rows);
}

function parse(textarea, errors) {
  try { return JSON.parse(el(textarea).value || "{}"); }
  catch (e) { showErrors(el(errors), { detail: `not valid JSON: ${e.message}` }); return null; }
}

el("save-settings").addEventListener("click", async () => {
  const body = parse("settings", "settings-errors");
  if (!body) return;
  const result = await api("PUT", `/api/agents/${current}/handoff`, body);
  showErrors(el("settings-errors"), result.ok ? null : result.data);
  if (result.ok) { el("notice").textContent = ""; await loadAgents(); }
});

el("preview").addEventListener("click", async () => {
  const { ok, data } = await api("GET", `/api/agents/${current}/service-windows?date=${el("window-date").value}`);
  el("windows").textContent = !ok ? "Pick a valid date." : data.windows.length === 0
    ? `No service on ${data.date} (${data.timeZone}).`
    : `${data.date} (${data.timeZone}): ${data.windows.map((w) => `${w.start}–${w.end}`).join(", ")}`;
});

el("save-desk").addEventListener("click", async () => {
  const settings = parse("desk-settings", "desk-errors");
  if (!settings) return;
  const result = await api("PUT", `/api/agents/${current}/helpdesk`, { kind: el("desk-kind").value, settings });
  showErrors(el("desk-errors"), result.ok ? null : result.data);
  if (result.ok) { showDesk(result.data); await loadAgents(); }
});

el("desk-kind").addEventListener("change", () => {
  const kind = el("desk-kind").value;
  el("desk-settings").value = JSON.stringify(kindOf(kind)?.template ?? {}, null, 2);
  showKind(kind);
});

el("consent-authorize").addEventListener("click", async () => {
  // A fetch cannot carry the admin key into a redirect, so the console asks for the consent URL and opens it.
  const response = await fetch(`/api/agents/${current}/helpdesk/authorize`, { headers: { "Authorization": `Bearer ${key}`, "Accept": "application/json" } });
  const data = await response.json();
  if (!response.ok) { el("desk-note").textContent = data.detail ?? "Connect the settings first."; return; }
  el("desk-note").textContent = "Finish the consent in the new window, then press Check status.";
  window.open(data.authorizeUrl, "helpdesk-consent");
});

el("desk-refresh").addEventListener("click", async () => {
  showDesk((await api("POST", `/api/agents/${current}/helpdesk/verify`)).data);
  await loadAgents();
});

el("desk-departments").addEventListener("click", async () => {
  const { ok, data } = await api("GET", `/api/agents/${current}/helpdesk/departments`);
  if (!ok) { el("desk-note").textContent = data?.detail ?? "The departments could not be read."; return; }
  const departmentKey = kindOf(el("desk-kind").value)?.departmentKey;
  const chosen = parse("desk-settings", "desk-errors")?.[departmentKey] ?? "";
  el("desk-department").replaceChildren(new Option("the desk's first department", ""),
    ...data.map((d) => new Option(`${d.name} (${d.id})`, d.id, false, d.id === chosen)));
  el("desk-note").textContent = `${data.length} departments. Pick one, then press Connect and verify to save it.`;
});

el("desk-department").addEventListener("change", () => {
  const settings = parse("desk-settings", "desk-errors");
  const departmentKey = kindOf(el("desk-kind").value)?.departmentKey;
  if (!settings || !departmentKey) return;
  if (el("desk-department").value) settings[departmentKey] = el("desk-department").value; else delete settings[departmentKey];
  el("desk-settings").value = JSON.stringify(settings, null, 2);
});

el("new-agent").addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = el("new-agent-id").value;
  const result = await api("PUT", `/api/agents/${id}/handoff`, {});
  if (result.ok) { await loadAgents(); await openAgent(id); }
});

el("key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  key = el("admin-key").value;
  sessionStorage.setItem("handoff:admin-key", key);
  await start();
});

async function start() {
  try { await loadKinds(); await loadAgents(); el("notice").textContent = ""; }
  catch (e) { el("notice").textContent = `Sorry: ${e.message}.`; }
}

if (key) start();
