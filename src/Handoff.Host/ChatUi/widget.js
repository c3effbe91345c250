// The embeddable bubble: <script src="https://chat.example.com/widget.js" data-agent="AGENT"></script>
// It opens the chat page of the same host in a frame; window.ChatBot.setEmail passes the user's e-mail on.
(() => {
  const script = document.currentScript;
  const agent = script?.dataset.agent;
  if (!agent) { console.error("widget.js: data-agent is missing"); return; }
  const origin = new URL(script.src).origin;
  let email = null, frame = null, panel = null;

  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Chat";
  button.setAttribute("aria-label", "Open chat");
  button.setAttribute("aria-expanded", "false");
  Object.assign(button.style, { position: "fixed", right: "20px", bottom: "20px", zIndex: 2147483000, padding: "14px 18px",
    borderRadius: "999px", border: "0", background: "#1d4ed8", color: "#fff", font: "600 16px system-ui, sans-serif",
    boxShadow: "0 4px 14px rgba(0,0,0,.25)", cursor: "pointer" });

  function open() {
    if (!panel) {
      panel = document.createElement("div");
      panel.setAttribute("role", "dialog");
      panel.setAttribute("aria-label", "Chat");
      Object.assign(panel.style, { position: "fixed", right: "20px", bottom: "84px", width: "min(380px, calc(100vw - 40px))",
        height: "min(600px, calc(100vh - 120px))", zIndex: 2147483000, borderRadius: "12px", overflow: "hidden",
        boxShadow: "0 8px 30px rgba(0,0,0,.3)", background: "#fff" });
      frame = document.createElement("iframe");
      frame.title = "Chat";
      const params = new URLSearchParams({ embed: "1" });
      if (email) params.set("email", email);
      frame.src = `${origin}/chat/${encodeURIComponent(agent)}?${params}`;
      Object.assign(frame.style, { width: "100%", height: "100%", border: "0" });
      panel.append(frame);
      document.body.append(panel);
    }
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-label", "Close chat");
  }

  function close() {
    if (panel) panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-label", "Open chat");
  }

  button.addEventListener("click", () => (panel && !panel.hidden ? close() : open()));
  window.ChatBot = {
    setEmail(value) {
      email = value;
      frame?.contentWindow?.postMessage({ type: "handoff:set-email", email: value }, origin);
    },
    open, close,
  };
  (document.body ? Promise.resolve() : new Promise((r) => addEventListener("DOMContentLoaded", r))).then(() => document.body.append(button));
})();
