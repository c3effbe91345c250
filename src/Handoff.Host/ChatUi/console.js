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

// What each kind needs (shared/API.md section 2): a starting point when the operator picks a kind.
const TEMPLATES = {
  webhook: { url: "http://127.0.0.1:5090/human/service" },
  intercom: { accessToken: "", teamId: "" },
  livechat: { organizationId: "", clientId: "", webhookSecretKey: "" },
  "zoho-salesiq": { clientId: "", clientSecret: "", screenName: "", region: "us", publicKey: "" },
  livedesk: { apiKey: "", apiSecret: "", inboxId: "", webhookSecret: "" },
  sobot: { appId: "", appKey: "", companyId: "", forwardingKey: "" },
};

function showKind(kind) {
  el("zoho").hidden = kind !== "zoho-salesiq";
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
  el("desk-settings").value = JSON.stringify(TEMPLATES[kind] ?? {}, null, 2);
  showKind(kind);
});

el("zoho-authorize").addEventListener("click", async () => {
  // A fetch cannot carry the admin key into a redirect, so the console asks for the consent URL and opens it.
  const response = await fetch(`/api/agents/${current}/helpdesk/zoho/authorize`, { headers: { "Authorization": `Bearer ${key}`, "Accept": "application/json" } });
  const data = await response.json();
  if (!response.ok) { el("zoho-note").textContent = data.detail ?? "Connect the SalesIQ settings first."; return; }
  el("zoho-note").textContent = "Finish the consent in the new window, then press Check status.";
  window.open(data.authorizeUrl, "zoho-consent");
});

el("zoho-refresh").addEventListener("click", async () => {
  showDesk((await api("POST", `/api/agents/${current}/helpdesk/verify`)).data);
  await loadAgents();
});

el("zoho-departments").addEventListener("click", async () => {
  const { ok, data } = await api("GET", `/api/agents/${current}/helpdesk/zoho/departments`);
  if (!ok) { el("zoho-note").textContent = data?.detail ?? "The departments could not be read."; return; }
  const select = el("zoho-department");
  const chosen = parse("desk-settings", "desk-errors")?.departmentId ?? "";
  select.replaceChildren(new Option("the portal's first department", ""), ...data.map((d) => new Option(`${d.name} (${d.id})`, d.id, false, d.id === chosen)));
  el("zoho-note").textContent = `${data.length} departments. Pick one, then press Connect and verify to save it.`;
});

el("zoho-department").addEventListener("change", () => {
  const settings = parse("desk-settings", "desk-errors");
  if (!settings) return;
  if (el("zoho-department").value) settings.departmentId = el("zoho-department").value; else delete settings.departmentId;
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
  try { await loadAgents(); el("notice").textContent = ""; }
  catch (e) { el("notice").textContent = `Sorry: ${e.message}.`; }
}

if (key) start();
