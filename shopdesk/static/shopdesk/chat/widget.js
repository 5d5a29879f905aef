/* Shopdesk chat widget loader. Paste into a shop's pages:
 *   <script src="https://helpdesk.example/static/shopdesk/chat/widget.js"
 *           data-widget="KEY" data-base="https://helpdesk.example" async></script>
 * It adds a chat button; the chat itself runs in an iframe served by the helpdesk, which allows
 * framing only by the origins listed on the widget. Optional: data-label, data-lang (zh-hans|en). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.widget) return;
  var base = (script.dataset.base || new URL(script.src).origin).replace(/\/$/, "");
  var lang = script.dataset.lang || "";
  var label = script.dataset.label || (lang === "en" ? "Chat with us" : "在线客服");
  var src = base + "/chat/w/" + encodeURIComponent(script.dataset.widget) + "/";
  if (lang) src += "?lang=" + encodeURIComponent(lang);

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;padding:12px 18px;" +
    "border:0;border-radius:24px;background:#1d4ed8;color:#fff;font:15px system-ui,sans-serif;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer";
  var frame = null;

  button.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = src;
      frame.title = label;
      frame.style.cssText = "position:fixed;right:16px;bottom:72px;z-index:2147483000;border:0;" +
        "width:min(380px,calc(100vw - 32px));height:min(560px,calc(100vh - 96px));" +
        "border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);background:#fff";
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    button.setAttribute("aria-expanded", String(!frame.hidden));
  });
  function add() { document.body.appendChild(button); }
  if (document.body) add(); else document.addEventListener("DOMContentLoaded", add);
})();
