// Switchyard OAuth popup landing (GET {base}/done): hands the result of the connect flow to the
// window that opened the popup (only on this origin), then closes. Without an opener it shows
// the result. Strings come from strings/en.json, inlined by the page as #switchyard-strings.
const q = new URLSearchParams(location.search);
let S = {};
try { S = JSON.parse(document.getElementById("switchyard-strings")?.textContent || "{}") || {} } catch { }
// A {message} (the server's sentence) loses its final full stop: the catalogue's sentence has one.
const t = (k, p = {}) => String(S[k] ?? k)
  .replace(/\{(\w+)\}/g, (m, n) => (!(n in p) ? m : n === "message" ? String(p[n]).replace(/\.\s*$/, "") : p[n]));
if (!document.querySelector("link[rel~=icon]")) {
  document.head.append(Object.assign(document.createElement("link"), { rel: "icon", href: "data:," }));
}
const id = q.get("connectionId");
let error = null;
if (!id) {
  let data = {};
  try { data = JSON.parse(q.get("errorData") || "{}") || {} } catch { }
  error = { key: String(data.key || "unavailable"), message: String(data.message || q.get("error") || t("error.unknown")) };
}

function show(title, text) {
  const main = document.getElementById("app") || document.body.appendChild(document.createElement("main"));
  const h1 = document.createElement("h1"), p = document.createElement("p");
  h1.textContent = title;
  h1.tabIndex = -1;
  p.textContent = text;
  main.replaceChildren(h1, p);
  document.title = title;
  h1.focus();
}

let opener = null;
try { opener = window.opener } catch { }
if (opener && !opener.closed) {
  opener.postMessage({ source: "switchyard-done", ...(id ? { connectionId: id } : { error }) }, location.origin);
  show(t(id ? "done.title" : "done.failedTitle"), t("done.closing"));
  window.close();
} else if (id) {
  show(t("done.title"), t("done.ready"));
} else {
  show(t("done.failedTitle"), t("done.failedText", { message: error.message }));
}
