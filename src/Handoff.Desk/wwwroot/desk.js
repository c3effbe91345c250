// The human's console: polls the desk's JSON API and renders with textContent only, because every text shown
// here was typed by a user or a bot and must never become markup.

const POLL_MS = 1500;
const api = "/api/desk";

const $ = (id) => document.getElementById(id);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
};

const state = {
  selectedId: idFromHash(),
  conversations: [],
  detail: null,
  listKey: "",
  itemsKey: "",
  itemsFor: null,
  sending: false,
};

function idFromHash() {
  const match = /^#c=(.+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

async function call(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(api + path, init);
  let data = null;
  try { data = await response.json(); } catch { /* empty or non-JSON answer */ }
  return { ok: response.ok, status: response.status, data };
}

// ---- time -------------------------------------------------------------------------------------------------

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function ago(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return dateTimeFormat.format(new Date(iso));
}

// ---- lists ------------------------------------------------------------------------------------------------

function who(c) {
  return c.email || "Anonymous user";
}

function renderLists() {
  const list = state.conversations;
  const waiting = list.filter((c) => c.state === "open" && c.waiting)
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  const open = list.filter((c) => c.state === "open" && !c.waiting)
    .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
  const closed = list.filter((c) => c.state !== "open")
    .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));

  // Minutes-ago labels change on their own, so the key includes the minute to keep them fresh.
  const key = JSON.stringify([state.selectedId, Math.floor(Date.now() / 60000), list]);
  if (key === state.listKey) return;
  state.listKey = key;

  const focusedId = document.activeElement?.closest?.(".conv-list")
    ? document.activeElement.dataset.id : null;

  fillList("waiting", waiting, (c) => `waiting ${ago(c.openedAt)}`);
  fillList("open", open, (c) => ago(c.lastActivityAt));
  fillList("closed", closed, (c) => closedLabel(c));

  if (focusedId) {
    const again = [...document.querySelectorAll(".conv-list button")].find((b) => b.dataset.id === focusedId);
    again?.focus({ preventScroll: true });
  }

  const waitingCount = waiting.length;
  document.title = waitingCount > 0 ? `(${waitingCount}) Handoff Desk` : "Handoff Desk";
}

function fillList(name, conversations, whenText) {
  const ul = $(`list-${name}`);
  const count = $(`count-${name}`);
  count.textContent = String(conversations.length);
  count.toggleAttribute("data-zero", conversations.length === 0);
  $(`empty-${name}`).hidden = conversations.length > 0;

  ul.replaceChildren(...conversations.map((c) => {
    const li = el("li");
    const button = el("button");
    button.type = "button";
    button.dataset.id = c.conversationId;
    if (c.conversationId === state.selectedId) button.setAttribute("aria-current", "true");

    const line = el("span", "conv-line");
    line.append(el("span", "conv-who", who(c)), el("span", "conv-when", whenText(c)));
    const preview = c.preview ? `${labelFor(c.lastFrom)}: ${c.preview}` : "No messages";
    button.append(line, el("span", "conv-preview", preview));
    button.setAttribute("aria-label", `${who(c)}, ${whenText(c)}, ${c.messageCount} messages. ${preview}`);
    button.addEventListener("click", () => select(c.conversationId, true));
    li.append(button);
    return li;
  }));
}

function labelFor(from) {
  return { user: "User", bot: "Bot", human: "You" }[from] ?? from ?? "";
}

function closedLabel(c) {
  if (c.closedBy === "human") return "closed by you";
  if (c.closeType === "TIMEOUT") return "timed out";
  if (c.closeType === "USER_CLOSED") return "user left";
  return "closed";
}

// ---- the selected conversation ----------------------------------------------------------------------------

function select(id, focusReply) {
  if (state.selectedId !== id) {
    state.selectedId = id;
    state.detail = null;
    state.itemsKey = "";
    state.itemsFor = null;
    setStatus("");
    $("placeholder-note").textContent = "";
    history.replaceState(null, "", id ? `#c=${encodeURIComponent(id)}` : location.pathname);
  }
  document.body.classList.toggle("has-selection", Boolean(id));
  state.listKey = "";
  renderLists();
  refreshDetail().then(() => {
    if (focusReply && !$("reply-text").disabled && state.detail?.state === "open") $("reply-text").focus();
    else if (focusReply) $("conv-title").focus();
  });
}

async function refreshDetail() {
  const id = state.selectedId;
  if (!id) {
    renderDetail();
    return;
  }
  const answer = await call("GET", `/conversations/${encodeURIComponent(id)}`);
  if (id !== state.selectedId) return;
  if (answer.status === 404) {
    // The desk restarted with an empty memory, or the link is stale: drop the selection and say why.
    select(null, false);
    $("placeholder-note").textContent = "That conversation is no longer on the desk.";
    return;
  }
  if (answer.ok) {
    state.detail = answer.data;
    renderDetail();
  }
}

function renderDetail() {
  const c = state.detail;
  $("placeholder").hidden = Boolean(c);
  $("conversation").hidden = !c;
  if (!c) return;

  $("conv-title").textContent = who(c);
  $("conv-title").tabIndex = -1;
  $("conv-state").textContent = c.state === "open"
    ? (c.waiting ? `Waiting for a human since ${ago(c.openedAt)}` : "In progress")
    : `Closed ${c.closedAt ? ago(c.closedAt) : ""} — ${closedLabel(c)}`;

  const meta = [
    ["E-mail", c.email || "—"],
    ["User id", c.userInfo?.userId || "—"],
    ["Phone", c.userInfo?.phone || "—"],
    ["Bot", c.botId || "—"],
    ["Chat", c.userInfo?.anonymousId || "—"],
    ["Hand-off", c.conversationId],
    ["Opened", dateTimeFormat.format(new Date(c.openedAt))],
  ];
  $("conv-meta").replaceChildren(...meta.map(([term, value]) => {
    const div = el("div");
    div.append(el("dt", null, term), el("dd", null, value));
    return div;
  }));

  const open = c.state === "open";
  $("close-btn").hidden = !open;
  $("reply-form").hidden = !open;
  $("closed-note").hidden = open;

  renderItems(c);
}

function renderItems(c) {
  const key = JSON.stringify([c.conversationId, c.state, c.items]);
  if (key === state.itemsKey) return;
  const firstRender = state.itemsFor !== c.conversationId;
  state.itemsKey = key;
  state.itemsFor = c.conversationId;

  const list = $("items");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const nodes = [];
  const hadHistory = c.items.some((i) => i.history);
  let dividerPlaced = !hadHistory;

  for (const item of c.items) {
    if (!dividerPlaced && !item.history) {
      nodes.push(el("li", "divider", "handed off to a human"));
      dividerPlaced = true;
    }
    nodes.push(renderItem(c, item));
  }
  if (!dividerPlaced) nodes.push(el("li", "divider", "handed off to a human"));
  if (c.state !== "open") nodes.push(el("li", "divider", `conversation ${closedLabel(c)}`));
  if (nodes.length === 0) nodes.push(el("li", "divider", "no messages yet"));

  list.replaceChildren(...nodes);
  if (firstRender || nearBottom) list.scrollTop = list.scrollHeight;
}

function renderItem(c, item) {
  const classes = ["item", item.from];
  const pending = item.from === "human" && !item.delivered && !item.deliveryError;
  const failed = item.from === "human" && !item.delivered && Boolean(item.deliveryError);
  if (pending) classes.push("pending");
  if (failed) classes.push("failed");

  const li = el("li", classes.join(" "));
  const sender = item.from === "human" ? (item.senderName || "You") : labelFor(item.from);
  const whoLine = `${sender} · ${timeFormat.format(new Date(item.at))}${item.history ? " · before hand-off" : ""}`;
  li.append(el("span", "who", whoLine), el("div", "bubble", item.text));

  if (pending) {
    li.append(el("span", "delivery", "sending…"));
  } else if (failed) {
    const line = el("span", "delivery failed");
    line.append(el("span", null, `Not delivered. ${item.deliveryError}`));
    if (c.state === "open") {
      const retry = el("button", null, "Retry");
      retry.type = "button";
      retry.setAttribute("aria-label", `Retry sending: ${item.text.slice(0, 60)}`);
      retry.addEventListener("click", () => retrySend(c.conversationId, item.messageId, retry));
      line.append(retry);
    }
    li.append(line);
  }
  return li;
}

function setStatus(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = `status${kind ? " " + kind : ""}`;
}

function describeFailure(answer) {
  if (!answer) return "The desk server did not answer.";
  const d = answer.data;
  if (d?.errors) return Object.values(d.errors).flat().join(" ");
  if (answer.status === 502) {
    const hint = d?.serviceStatus === 401 ? " Check Desk:ReceivingKey (and the signing secret)." : "";
    return `${d?.detail ?? "The Handoff service refused."}${hint}`;
  }
  return d?.detail ?? d?.title ?? `The desk answered ${answer.status}.`;
}

// ---- actions ----------------------------------------------------------------------------------------------

async function send(event) {
  event.preventDefault();
  const id = state.selectedId;
  const box = $("reply-text");
  const text = box.value.trim();
  if (!id || state.sending) return;
  if (!text) {
    setStatus("Write a reply first.", "error");
    return;
  }

  state.sending = true;
  $("send-btn").disabled = true;
  setStatus("Sending…");
  let answer = null;
  try {
    answer = await call("POST", `/conversations/${encodeURIComponent(id)}/reply`, { text });
  } catch { /* reported below */ }
  state.sending = false;
  $("send-btn").disabled = false;

  // Once the desk holds the reply (delivered or not) the box can be cleared: a failed one stays in the log with Retry.
  if (answer && (answer.ok || answer.status === 502)) box.value = "";
  if (answer?.ok) setStatus("");
  else setStatus(describeFailure(answer), "error");
  box.focus();
  await refreshDetail();
}

async function retrySend(id, messageId, button) {
  button.disabled = true;
  setStatus("Retrying…");
  let answer = null;
  try {
    answer = await call("POST", `/conversations/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}/retry`);
  } catch { /* reported below */ }
  if (answer?.ok) setStatus("Delivered.", "ok");
  else setStatus(describeFailure(answer), "error");
  await refreshDetail();
}

async function closeConversation() {
  const c = state.detail;
  if (!c || c.state !== "open") return;
  if (!confirm(`Close the conversation with ${who(c)}? The user goes back to the bot.`)) return;
  const button = $("close-btn");
  button.disabled = true;
  let answer = null;
  try {
    answer = await call("POST", `/conversations/${encodeURIComponent(c.conversationId)}/close`);
  } catch { /* reported below */ }
  button.disabled = false;
  if (answer?.ok) setStatus("Conversation closed.", "ok");
  else setStatus(describeFailure(answer), "error");
  await refreshDetail();
  $("conv-title").focus();
}

// ---- wiring -----------------------------------------------------------------------------------------------

async function loadInfo() {
  const answer = await call("GET", "/info").catch(() => null);
  if (!answer?.ok) return;
  const i = answer.data;
  const parts = [`Signed in as ${i.humanName}`, `webhook ${location.origin}${i.webhookBasePath}`];
  parts.push(i.handoffBaseUrl ? `replies to ${i.handoffBaseUrl}` : "Desk:HandoffBaseUrl not set");
  if (!i.receivingKeySet) parts.push("no receiving key set");
  if (i.basicAuth) parts.push("basic auth on");
  if (i.signing) parts.push("signing on");
  $("desk-info").textContent = parts.join(" · ");
}

async function poll() {
  try {
    const answer = await call("GET", "/conversations");
    if (answer.ok) {
      state.conversations = answer.data;
      $("banner").hidden = true;
      renderLists();
      await refreshDetail();
    }
  } catch {
    const banner = $("banner");
    banner.textContent = "The desk server is not answering; retrying…";
    banner.hidden = false;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

$("reply-form").addEventListener("submit", send);
$("reply-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("reply-form").requestSubmit();
  }
});
$("close-btn").addEventListener("click", closeConversation);
$("back-btn").addEventListener("click", () => select(null, false));
window.addEventListener("hashchange", () => select(idFromHash(), false));

document.body.classList.toggle("has-selection", Boolean(state.selectedId));
loadInfo();
poll();
