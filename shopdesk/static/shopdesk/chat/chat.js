/* Live chat client for the portal, the widget page and the agent console.
 * History by one GET, then server-sent events; after three failed connections in a row (or
 * without EventSource) it polls every 2 s. Message text is set with textContent: never HTML. */
(function () {
  "use strict";

  function init(root) {
    var d = root.dataset;
    var list = root.querySelector(".chat-messages");
    var typing = root.querySelector(".chat-typing");
    var errorBox = root.querySelector(".chat-error");
    var form = root.querySelector(".chat-form");
    var ended = root.querySelector(".chat-ended");
    var last = 0, readSent = 0, errors = 0, lastTyping = 0, readMark = 0;
    var seen = {};
    var source = null, poller = null;

    function headers() {
      return d.csrf ? { "X-CSRFToken": d.csrf } : {};
    }
    function post(url, data) {
      return fetch(url, { method: "POST", body: data, headers: headers(), credentials: "same-origin" });
    }
    function showError(text) {
      errorBox.textContent = text || "";
      errorBox.hidden = !text;
    }
    function tick(li) {
      var t = li.querySelector(".tick");
      if (!t) return;
      var read = Number(li.dataset.seq) <= readMark;
      t.textContent = read ? d.tRead : d.tUnread;
      t.classList.toggle("read", read);
    }
    function render(m) {
      if (seen[m.seq]) return;
      seen[m.seq] = true;
      last = Math.max(last, m.seq);
      var li = document.createElement("li");
      li.className = "chat-msg " + m.kind + (m.mine ? " mine" : "");
      li.dataset.seq = m.seq;
      var meta = document.createElement("div");
      meta.className = "meta";
      if (m.author) {
        var who = document.createElement("span");
        who.className = "who";
        who.textContent = m.author;
        meta.appendChild(who);
      }
      var time = document.createElement("time");
      time.dateTime = m.at;
      time.textContent = m.time;
      meta.appendChild(time);
      li.appendChild(meta);
      if (m.body) {
        var body = document.createElement("p");
        body.className = "body";
        body.textContent = m.body;
        li.appendChild(body);
      }
      if (m.attachment) {
        var link = document.createElement("a");
        link.href = m.attachment;
        link.target = "_blank";
        link.rel = "noopener";
        if (m.is_image) {
          var img = document.createElement("img");
          img.src = m.attachment;
          img.alt = m.attachment_name;
          img.className = "photo";
          link.appendChild(img);
        } else {
          link.textContent = m.attachment_name;
        }
        li.appendChild(link);
      }
      if (m.mine) {
        var t = document.createElement("span");
        t.className = "tick";
        li.appendChild(t);
      }
      // Keep the list in seq order even if a poll and the stream interleave.
      var after = null;
      for (var node = list.lastElementChild; node; node = node.previousElementSibling) {
        if (Number(node.dataset.seq) < m.seq) break;
        after = node;
      }
      list.insertBefore(li, after);
      tick(li);
      list.scrollTop = list.scrollHeight;
    }
    function applyState(s) {
      typing.hidden = !s.typing;
      readMark = d.side === "agent" ? s.read_by_customer : s.read_by_agent;
      list.querySelectorAll(".chat-msg.mine").forEach(tick);
      if (form) form.hidden = !s.is_open;
      if (ended) ended.hidden = !!s.is_open;
    }
    function markRead() {
      if (document.hidden || last <= readSent) return;
      readSent = last;
      var data = new FormData();
      data.append("seq", String(last));
      post(d.readUrl, data);
    }
    function got(messages, state) {
      messages.forEach(render);
      if (state) applyState(state);
      markRead();
    }
    function poll() {
      return fetch(d.messagesUrl + "?after=" + last, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (j) { got(j.messages, j.state); showError(""); })
        .catch(function () { showError(d.tFailed); });
    }
    function startPolling() {
      if (source) { source.close(); source = null; }
      if (!poller) poller = setInterval(poll, 2000);
    }
    function connect() {
      if (!window.EventSource) return startPolling();
      source = new EventSource(d.eventsUrl + "?after=" + last);
      source.onopen = function () { errors = 0; showError(""); };
      source.addEventListener("message", function (e) { got([JSON.parse(e.data)], null); });
      source.addEventListener("state", function (e) { applyState(JSON.parse(e.data)); });
      // A stream that ends normally (every ~25 s) also lands here and reconnects by itself;
      // only failures without an open in between count.
      source.onerror = function () {
        errors += 1;
        if (errors >= 3) startPolling();
      };
    }

    if (form) {
      var text = form.querySelector("textarea");
      var file = form.querySelector("input[type=file]");
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        if (!text.value.trim() && !(file && file.files.length)) return;
        var data = new FormData(form);
        post(d.messagesUrl, data).then(function (r) {
          return r.json().then(function (j) {
            if (!r.ok) { showError(j.detail); return; }
            showError("");
            text.value = "";
            if (file) file.value = "";
            render(j);
          });
        }).catch(function () { showError(d.tFailed); });
      });
      text.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          form.requestSubmit();
        }
      });
      text.addEventListener("input", function () {
        var now = Date.now();
        if (now - lastTyping < 2000) return;
        lastTyping = now;
        post(d.typingUrl, new FormData());
      });
      if (file) file.addEventListener("change", function () { if (file.files.length) form.requestSubmit(); });
    }
    document.addEventListener("visibilitychange", markRead);
    poll().then(connect);
  }

  function start() { document.querySelectorAll(".chat-box").forEach(init); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
