// The chat page (/chat/{agentId}), also what the bubble of widget.js shows in its frame.
// It speaks the hub contract of /hubs/chat and keeps every message exactly once, ordered by seq.
const agentId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] ?? "");
const query = new URLSearchParams(location.search);
const embedded = query.get("embed") === "1";
const storageKey = `handoff:${agentId}:${embedded ? "widget" : "iframe"}`;

const el = (id) => document.getElementById(id);
const list = el("messages"), status = el("status"), text = el("text");
const buttons = { human: el("human"), keepWaiting: el("keep-waiting"), end: el("end") };

const seen = new Map();          // seq -> message: the one source of truth for what is shown
let lastSeq = 0, state = "bot", pendingEmail = query.get("email"), connection = null, readUpTo = 0;
const outbox = [];               // messages not yet acknowledged by the hub, retried with the same id

const endReasons = {
  "user-ended": "you ended the conversation", "human-ended": "our team ended the conversation",
  "wait-timeout": "nobody answered in time", "session-timeout": "it was quiet for too long",
  "off-hours": "our team is not available now", "helpdesk-unavailable": "our team cannot be reached",
  "helpdesk-error": "our team could not be reached", "disabled": "talking to a person is not available",
  "wrong-channel": "talking to a person is not available here",
};

function render(message) {
  if (seen.has(message.seq)) return;
  seen.set(message.seq, message);
  lastSeq = Math.max(lastSeq, message.seq);
  const item = document.createElement("li");
  item.className = `message ${message.from}`;
  item.dataset.seq = message.seq;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = { user: "You", bot: "Bot", human: message.senderName || "Agent", system: "" }[message.from] ?? "";
  if (who.textContent) item.append(who);
  item.append(document.createTextNode(message.text));
  const next = [...list.children].find((li) => Number(li.dataset.seq) > message.seq);
  list.insertBefore(item, next ?? null);
  list.scrollTop = list.scrollHeight;
}

function setState(next, reason) {
  state = next;
  const words = {
    "bot": reason ? `Chatting with the bot (${endReasons[reason] ?? reason})` : "Chatting with the bot",
    "awaiting-email": "Please tell us your e-mail address",
    "waiting-for-human": "Waiting for a person to join…",
    "wait-timeout-prompt": "Nobody has answered yet: keep waiting or end?",
    "with-human": "Connected to a person",
  };
  status.textContent = words[next] ?? next;
  status.className = `status ${next === "with-human" ? "connected" : next.startsWith("wait") ? "waiting" : ""}`;
  buttons.human.hidden = next !== "bot";
  buttons.keepWaiting.hidden = next !== "wait-timeout-prompt";
  buttons.end.hidden = next === "bot";
  buttons.end.textContent = next === "wait-timeout-prompt" ? "End" : "End chat with human";
}

function markRead() {
  for (const li of list.querySelectorAll(".message.user:not(.was-read)")) {
    if (Number(li.dataset.seq) > readUpTo) continue;
    li.classList.add("was-read");
    const mark = document.createElement("span");
    mark.className = "read";
    mark.textContent = "Read";
    li.append(mark);
  }
}

async function session() {
  const stored = JSON.parse(sessionStorage.getItem(storageKey) ?? "null");
  if (stored && new Date(stored.expiresAt) > new Date()) return stored;
  const response = await fetch(`/api/agents/${encodeURIComponent(agentId)}/conversations`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ channel: embedded ? "widget" : "iframe", email: pendingEmail || null }),
  });
  if (!response.ok) throw new Error(`the chat could not start (${response.status})`);
  const created = await response.json();
  pendingEmail = null;
  sessionStorage.setItem(storageKey, JSON.stringify(created));
  return created;
}

async function catchUp() {
  const missed = await connection.invoke("Resume", lastSeq);
  missed.forEach(render);
  await flush();
}

async function flush() {
  while (outbox.length > 0 && connection?.state === signalR.HubConnectionState.Connected) {
    const next = outbox[0];
    await connection.invoke("Send", next.text, next.id);
    outbox.shift();
  }
}

async function connect() {
  const { token } = await session();
  connection = new signalR.HubConnectionBuilder()
    .withUrl("/hubs/chat", { accessTokenFactory: () => token })
    .withAutomaticReconnect([0, 1000, 2000, 5000, 10000])
    .build();
  connection.on("message", render);
  connection.on("state", (s) => setState(s.state, s.reason));
  connection.on("typing", () => { el("typing").hidden = false; setTimeout(() => (el("typing").hidden = true), 4000); });
  connection.on("read", (r) => { readUpTo = Math.max(readUpTo, r.upToSeq); markRead(); });
  connection.onreconnecting(() => { status.textContent = "Reconnecting…"; });
  connection.onreconnected(async () => { setState(state); await catchUp(); });
  connection.onclose(() => restart(1000));
  await connection.start();
  const joined = await connection.invoke("Join");
  joined.messages.forEach(render);
  setState(joined.state);
  buttons.human.disabled = false;
  if (pendingEmail) { await connection.invoke("SetEmail", pendingEmail); pendingEmail = null; }
  await catchUp();
}

async function restart(delay) {
  status.textContent = "Reconnecting…";
  await new Promise((r) => setTimeout(r, delay));
  try {
    await connection.start();
    setState(state);
    await catchUp();
  } catch {
    restart(Math.min(delay * 2, 15000));
  }
}

el("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = text.value.trim();
  if (!value) return;
  text.value = "";
  outbox.push({ text: value, id: crypto.randomUUID() });
  try { await flush(); } catch { /* sent again, with the same id, once connected */ }
});
buttons.human.addEventListener("click", () => connection.invoke("RequestHuman"));
buttons.keepWaiting.addEventListener("click", () => connection.invoke("KeepWaiting"));
buttons.end.addEventListener("click", () => connection.invoke("EndHuman"));

// window.ChatBot.setEmail from the page that embeds the bubble.
window.addEventListener("message", async (event) => {
  if (event.source !== window.parent || event.data?.type !== "handoff:set-email") return;
  if (connection?.state === signalR.HubConnectionState.Connected) await connection.invoke("SetEmail", event.data.email);
  else pendingEmail = event.data.email;
});

connect().catch((error) => { status.textContent = `Sorry, ${error.message}.`; });
