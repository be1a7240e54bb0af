// Switchyard connect UI: the end-user app of the `ui` role, shown in the SDK's modal iframe or as
// a top-level page (same-window mode, connection-request links). Plain ES module, no build step,
// no dependencies. Every user-visible string comes from strings/en.json (inlined by the shell).
const D = document, root = D.documentElement;
const json = id => { try { return JSON.parse(D.getElementById(id)?.textContent || "{}") || {} } catch { return {} } };
const cfg = json("switchyard-config"), S = json("switchyard-strings");
// A {message} (the server's sentence) loses its final full stop: the catalogue's sentence has one.
const t = (k, p = {}) => String(S[k] ?? k)
  .replace(/\{(\w+)\}/g, (m, n) => (!(n in p) ? m : n === "message" ? String(p[n]).replace(/\.\s*$/, "") : p[n]));
const app = D.getElementById("app") || D.body.appendChild(D.createElement("main"));
const apiBase = cfg.apiBase || "", basePath = cfg.basePath ?? "/ui";
const enc = encodeURIComponent;
// No icon request to the server (a top-level page would ask for /favicon.ico and log a 404).
if (!D.querySelector("link[rel~=icon]")) D.head.append(Object.assign(D.createElement("link"), { rel: "icon", href: "data:," }));

const frag = new URLSearchParams(location.hash.slice(1));
history.replaceState(null, "", location.pathname);
const requestMode = cfg.workspaceKey == null;
let token = frag.get("token");
const requestToken = frag.get("requestToken");
const mode = !requestMode && frag.get("mode") !== "page" ? "modal" : "page";
const hostOrigin = frag.get("origin") || "";
const multi = frag.get("allowMultipleConnections") === "1";
const ret = httpURL(frag.get("return"));
const startRoute = requestMode ? "request" : frag.get("route") || "catalogue";
const doneURL = location.origin + basePath + "/done";
let current = "", popup = null, tokenWaiter = null, fatalShown = false;

function httpURL(text) {
  try { const u = new URL(text); return /^https?:$/.test(u.protocol) ? u.href : null } catch { return null }
}

// Theme and accent (validated; the text colour on the accent is picked for contrast).
const theme = frag.get("theme");
root.dataset.theme = ["light", "dark", "auto"].includes(theme) ? theme : "auto";
const accent = frag.get("accent") || "";
if (/^#[0-9a-f]{6}$/i.test(accent)) {
  const [r, g, b] = [1, 3, 5].map(i => parseInt(accent.slice(i, i + 2), 16) / 255)
    .map(c => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  root.style.setProperty("--accent", accent);
  root.style.setProperty("--accent-fg", 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#ffffff" : "#000000");
}

// The embedding check: the host's origin must be allowed and be the real parent's origin.
const anc = location.ancestorOrigins;
const allowed = cfg.allowedOrigins || [];
const embedOK = mode === "page" || (window.parent !== window && /^https?:\/\/[^/]+$/.test(hostOrigin)
  && (allowed.includes(hostOrigin) || allowed.includes("*"))
  && (!anc || anc[0] === hostOrigin));
const post = (type, extra = {}) => {
  if (mode === "modal" && embedOK) parent.postMessage({ source: "switchyard", type, ...extra }, hostOrigin);
};

addEventListener("message", e => {
  const d = e.data;
  if (!d || typeof d !== "object") return;
  if (mode === "modal" && embedOK && e.source === parent && e.origin === hostOrigin
    && d.source === "switchyard-host" && d.type === "token") tokenWaiter?.(typeof d.token === "string" && d.token ? d.token : null);
  else if (popup && e.source === popup.win && e.origin === location.origin && d.source === "switchyard-done") popup.done(d);
});

// A new fragment (a second link opened in this tab) is a new start: the fragment is read on load.
addEventListener("hashchange", () => { if (location.hash.length > 1) location.reload() });
// Escape cancels an open confirmation, else closes the modal.
addEventListener("keydown", e => {
  if (e.key !== "Escape" || mode !== "modal" || !embedOK) return;
  e.preventDefault();
  const cancel = app.querySelector(".confirm .actions button:last-child");
  if (cancel) cancel.click(); else close();
});

function close() {
  if (popup) popup.win.close();
  if (mode === "modal") post("close");
  else if (ret) location.assign(ret);
}

// Small DOM builder: h("p", {class: "x", onclick: f}, "text", child).
function h(tag, attrs = {}, ...kids) {
  const el = D.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else if (k in el && !k.includes("-") && k !== "list") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) if (k != null && k !== false) el.append(k);
  return el;
}
const btn = (text, onclick, cls = "", extra = {}) => h("button", { type: "button", class: cls, onclick, ...extra }, text);

// One screen: the header (back, close), a focusable h1, the content.
const bar = back => h("div", { class: "bar" }, back ? btn(t("nav.back"), back, "link") : h("span"),
  (mode === "modal" && embedOK) || (mode === "page" && ret) ? btn(t("nav.close"), close, "close") : null);
function screen(title, content, { back } = {}) {
  popupStop();
  D.title = title;
  const h1 = h("h1", { tabindex: "-1", text: title });
  app.replaceChildren(bar(back), h1, ...[content].flat().filter(Boolean));
  app.removeAttribute("aria-busy");
  h1.focus();
  return h1;
}
const para = (text, cls) => h("p", { class: cls, text });
function loading(text = t("common.loading")) {
  app.replaceChildren(embedOK ? bar() : "", h("p", { class: "loading", role: "status", text }));
  app.setAttribute("aria-busy", "true");
}
const backToList = () => (startRoute === "catalogue" && current !== "catalogue" ? () => go("catalogue") : null);

// Pages that end or stop the flow.
function message(title, text, { retry, key, fatal } = {}) {
  const actions = h("div", { class: "actions" }, retry ? btn(t("common.retry"), retry, "primary") : null);
  screen(title, [para(text, "lead"), actions], { back: fatal ? null : backToList() });
  if (key) post("error", { error: { key, message: text } });
}
function fatal(key, title, text) {
  if (fatalShown) return;
  fatalShown = true;
  message(title, text, { key, fatal: true });
}
const authFailed = textKey => fatal("not_authenticated", t("auth.title"), t(textKey));
const notFound = isStart => message(t("notfound.title"), t("notfound.text"), { key: isStart ? "not_found" : null });

// The API: JSON in and out, the bearer token, one token refresh on a 401.
class APIError extends Error {
  constructor(status, body) {
    super(body?.message || t("error.status", { status }));
    Object.assign(this, { status, key: body?.key || "unavailable", data: body?.data || {} });
  }
}
async function api(method, path, body, retried = false) {
  const headers = { Accept: "application/json" }, used = token;
  if (token && !requestMode) headers.Authorization = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res, data = null;
  try {
    res = await fetch(apiBase + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit" });
  } catch { throw Object.assign(new APIError(0, { message: t("error.network") }), { key: "unavailable" }) }
  try { data = await res.json() } catch { }
  if (res.status === 401 && !requestMode) {
    if (!retried) {
      const fresh = token !== used ? token : await newToken();
      if (fresh && !tokenProblem(fresh)) { token = fresh; return api(method, path, body, true) }
    }
    authFailed(expiredToken(token) ? "auth.expired" : "auth.invalid");
    throw Object.assign(new APIError(401, data), { shown: true });
  }
  if (!res.ok) throw new APIError(res.status, data);
  return data;
}
let tokenAsked = null; // one token request at a time, shared by the calls that got a 401
function newToken() {
  if (mode !== "modal" || !embedOK) return Promise.resolve(null);
  return (tokenAsked ||= new Promise(resolve => {
    const done = value => { clearTimeout(timer); tokenWaiter = tokenAsked = null; resolve(value) };
    const timer = setTimeout(() => done(null), 15000);
    tokenWaiter = done;
    post("token-request");
  }));
}
function claimsOf(tok) {
  const part = tok.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), c => c.charCodeAt(0))));
}
function tokenProblem(tok) {
  if (!tok) return "auth.missing";
  try {
    const claims = claimsOf(tok);
    if ((claims.workspaceKey ?? claims.iss) !== cfg.workspaceKey) return "auth.foreign";
    return null;
  } catch { return "auth.invalid" }
}
// A refused token past its exp has expired; any other refused token is not valid (signature, workspace).
function expiredToken(tok) {
  try { const exp = claimsOf(tok).exp; return typeof exp === "number" && exp * 1000 <= Date.now() } catch { return false }
}

// Routing: the route names a screen; errors become pages.
function go(route) {
  current = route;
  const [kind, id, sub, key] = route.split("/").map(part => { try { return decodeURIComponent(part) } catch { return part } });
  const isStart = route === startRoute;
  const run = async () => {
    try {
      if (kind === "request") return await connect(null, null, true);
      if (kind === "catalogue") return await catalogue();
      if (kind === "connect" && id) return await connect(id, null, isStart);
      if (kind === "connection" && id && !sub) return await connection(id, isStart);
      if (kind === "connection" && id && sub === "flow" && key) return await flowPage(id, key, isStart);
      if (kind === "connection" && id && sub === "field-mapping" && key) {
        return message(t("mapping.title"), t("mapping.unavailable"));
      }
      notFound(isStart);
    } catch (e) { failed(e, isStart, run) }
  };
  loading();
  return run();
}
function failed(e, isStart, retry) {
  if (e?.shown || fatalShown) return;
  if (e?.status === 404 || e?.key === "not_found") return notFound(isStart);
  if (e?.status === 403) return message(t("denied.title"), e.message, { key: isStart ? e.key : null });
  message(t("error.title"), e?.message || t("error.unknown"), { retry });
}

// Logos only from this deployment (same origin) or data: URIs; else a letter badge.
function logo(integ) {
  const uri = integ?.logoUri || integ?.connector?.logoUri;
  let ok = false;
  try { ok = !!uri && (/^data:image\//i.test(uri) || new URL(uri, location.href).origin === location.origin) } catch { }
  if (ok) return h("img", { class: "logo", src: uri, alt: "", width: 40, height: 40 });
  const name = integ?.name || integ?.key || "?";
  return h("span", { class: "logo letter", "aria-hidden": "true", text: name.trim().charAt(0).toUpperCase() || "?" });
}
const attention = c => c.disconnected || c.state === "disconnected" || c.state === "error" || !!c.lastRefreshError;
const stateOf = conns => (!conns.length ? "none" : conns.some(attention) ? "attention" : "connected");

async function catalogue() {
  const [ints, conns] = await Promise.all([api("GET", "/integrations?limit=1000"), api("GET", "/connections?limit=1000")]);
  const by = {};
  for (const c of conns.items || []) if (!c.archivedAt) (by[c.integrationId] ||= []).push(c);
  // An integration without a connector cannot be connected yet: it is not offered.
  const items = (ints.items || []).filter(i => i.connectorId || by[i.id]).map(i => {
    const cs = by[i.id] || [], st = stateOf(cs), name = i.name || i.key;
    const open = () => go(cs.length ? `connection/${enc((cs.find(attention) || cs[0]).id)}` : `connect/${enc(i.key)}`);
    const li = h("li", {}, h("button", { type: "button", class: "card", onclick: open },
      logo(i), h("span", { class: "name", text: name }), h("span", { class: "badge " + st, text: t("state." + st) })));
    li.dataset.q = `${name} ${i.key}`.toLowerCase();
    return li;
  });
  const list = h("ul", { class: "cards" }, items);
  const status = h("p", { class: "muted", role: "status" });
  const filter = () => {
    const q = search.value.trim().toLowerCase();
    let shown = 0;
    for (const li of items) { li.hidden = !!q && !li.dataset.q.includes(q); shown += li.hidden ? 0 : 1 }
    status.textContent = !items.length ? t("catalogue.empty") : shown ? (q ? t("catalogue.count", { count: shown }) : "")
      : t("catalogue.noMatch", { query: search.value.trim() });
  };
  const search = h("input", { type: "search", id: "search", autocomplete: "off", oninput: filter });
  screen(t("catalogue.title"), [
    h("div", { class: "search" }, h("label", { for: "search", text: t("catalogue.search") }), search), status, list]);
  filter();
}

// Connect: one POST /connect decides between a form, a provider redirect and a finished connection.
async function connect(key, reconnectId, isStart) {
  let integ = null;
  if (!requestMode) integ = await api("GET", `/integrations/${enc(key)}`);
  let name = integ?.name || key || t("connect.yourAccount");
  const back = backToList() || (reconnectId ? () => go(`connection/${enc(reconnectId)}`) : null);
  const body = requestMode ? { requestToken } : {
    integrationKey: integ.key || key, redirectUri: mode === "page" ? ret || doneURL : doneURL,
    ...(reconnectId ? { connectionId: reconnectId } : {}), ...(multi ? { allowMultipleConnections: true } : {}),
  };
  const start = extra => api("POST", "/connect", { ...body, ...extra });
  let pending = null;

  const problem = e => {
    if (e?.shown || fatalShown) return;
    if (requestMode && (e.data?.requestId || e.data?.requestToken || e.data?.state || e.status === 404)) {
      return message(t("link.title"), t(e.data.requestId === "already used" ? "link.used" : "link.expired"));
    }
    failed(e, isStart, again);
  };
  const again = () => { loading(); connect(key, reconnectId, isStart).catch(e => failed(e, isStart)) };
  const finished = id => {
    if (!requestMode && !isStart) {
      current = `connection/${enc(id)}`;
      loading();
      return connection(id, false, t("connection.connected", { name })).catch(e => failed(e));
    }
    if (mode === "modal") { message(t("done.title"), t("done.text", { name })); return post("result", { value: { connectionId: id } }) }
    if (ret) { const u = new URL(ret); u.searchParams.set("connectionId", id); return location.assign(u.href) }
    message(t("done.title"), t("done.text", { name }));
  };
  const handle = ans => {
    if (ans?.connectionId) return finished(ans.connectionId);
    if (ans?.form) return showForm(ans.form);
    if (ans?.redirect) { pending = ans.redirect; return showStart() }
    message(t("error.title"), t("error.unknown"), { retry: again });
  };
  const providerError = err => {
    const consent = err?.key === "access_denied" && /access_denied|refused|denied/i.test(err.message || "");
    message(t(consent ? "consent.title" : "provider.title", { name }),
      consent ? t("consent.text", { name }) : t("provider.text", { name, message: err?.message || t("error.unknown") }), { retry: onConnect });
  };
  const sameWindow = async () => {
    if (mode === "modal" && !ret) return message(t("popup.blockedTitle"), t("popup.blocked"), { retry: onConnect });
    loading(t("connect.redirecting", { name }));
    try {
      const ans = mode === "modal" ? await start({ redirectUri: ret }) : pending ? { redirect: pending } : await start();
      pending = null;
      if (!ans?.redirect) return handle(ans);
      if (mode === "modal") post("navigate", { url: ans.redirect });
      else location.assign(ans.redirect);
    } catch (e) { problem(e) }
  };
  function onConnect() {
    if (mode === "page") return sameWindow();
    const url = pending;
    pending = null;
    const win = window.open(url || "", "switchyard-connect", "popup,width=600,height=720");
    if (!win) return sameWindow();
    waiting(win);
    if (!url) {
      start().then(ans => {
        if (ans?.redirect && !win.closed) win.location.href = ans.redirect;
        else { win.close(); handle(ans) }
      }).catch(e => { win.close(); problem(e) });
    }
  }
  function waiting(win) {
    let doneSeen = false;
    screen(t("connect.waitingTitle", { name }), [
      h("p", { class: "lead", role: "status", text: t("connect.waiting", { name }) }),
      h("div", { class: "actions" }, btn(t("connect.cancel"), () => win.close()))]);
    popup = {
      win,
      done(d) {
        doneSeen = true;
        popupStop();
        if (d.connectionId) finished(String(d.connectionId)); else providerError(d.error);
      },
      timer: setInterval(() => {
        if (!win.closed || doneSeen) return;
        clearInterval(popup.timer);
        setTimeout(() => { if (!doneSeen && popup?.win === win) { popupStop(); closedPage() } }, 600);
      }, 400),
    };
  }
  const closedPage = () => message(t("popup.closedTitle"), t("popup.closed", { name }), { retry: onConnect });
  function showStart() {
    screen(t("connect.title", { name }), [
      h("div", { class: "intro" }, logo(integ || { name }), para(t(mode === "page" ? "connect.introPage" : "connect.intro", { name }), "lead")),
      h("div", { class: "actions" }, btn(t("connect.button", { name }), onConnect, "primary"))], { back });
  }
  function showForm(form) {
    if (form.title && !integ) name = form.title;
    const fields = fieldsOf(form.schema, form.fields);
    screen(t("connect.title", { name }), [para(t("form.intro", { name }), "lead"),
      buildForm(fields, {}, t("connect.submit"), async input => {
        try {
          const ans = await start({ input });
          if (ans?.form) throw new APIError(400, { message: t("form.again") });
          handle(ans);
        } catch (e) {
          if (e.shown || (requestMode && (e.data?.requestId || e.data?.state)) || e.status === 404) return problem(e);
          // The app refused the details (its connection test failed): plain words first, the server's detail after.
          if (e.key === "access_denied") throw new APIError(403, { key: e.key, message: t("form.refused", { name, message: e.message }) });
          throw e;
        }
      })], { back });
  }
  loading(t("connect.preparing", { name }));
  try { handle(await start()) } catch (e) { problem(e) }
}
function popupStop() {
  if (popup) { clearInterval(popup.timer); popup = null }
}

// Forms from a JSON schema (and the connect answer's field list): checked here, then on the server.
function fieldsOf(schema, given) {
  const props = schema?.properties || {}, req = schema?.required || [];
  const list = given?.length ? given : Object.keys(props).map(name => ({ name }));
  return list.map(f => {
    const p = { ...props[f.name], ...f.schema };
    const type = f.type || (Array.isArray(p.type) ? p.type.find(x => x !== "null") : p.type) || "string";
    return { ...p, ...f, type, title: f.title || p.title || f.name, required: f.required ?? req.includes(f.name),
      secret: f.secret ?? (p.format === "password" || p.writeOnly === true), enum: f.enum || p.enum };
  });
}
let formCount = 0;
function buildForm(fields, values, submitLabel, submit, invalid) {
  const n = ++formCount, rows = {};
  const general = h("p", { class: "error", role: "alert", hidden: true });
  const form = h("form", { novalidate: true, class: "form" }, general);
  for (const f of fields) {
    const id = `f${n}-${f.name.replace(/[^\w-]/g, "_")}`, v = values?.[f.name] ?? f.default;
    const err = h("p", { class: "error", id: id + "-e", hidden: true });
    const desc = f.description ? h("p", { class: "hint", id: id + "-d", text: f.description }) : null;
    let input;
    if (f.enum) {
      input = h("select", { id, name: f.name }, h("option", { value: "", text: t("form.choose") }),
        f.enum.map(o => h("option", { value: String(o), text: String(o), selected: v != null && String(v) === String(o) })));
    } else if (f.type === "boolean") {
      input = h("input", { id, name: f.name, type: "checkbox", checked: v === true });
    } else if (f.type === "object" || f.type === "array") {
      input = h("textarea", { id, name: f.name, rows: 4, value: v == null ? "" : JSON.stringify(v, null, 2) });
    } else {
      const type = f.secret ? "password" : f.type === "integer" || f.type === "number" ? "number"
        : f.format === "email" ? "email" : f.format === "uri" || f.format === "url" ? "url" : "text";
      input = h("input", { id, name: f.name, type, value: v == null ? "" : String(v), autocomplete: f.secret ? "new-password" : "off",
        step: f.type === "integer" ? "1" : f.type === "number" ? "any" : null });
    }
    if (f.required) input.setAttribute("aria-required", "true");
    input.setAttribute("aria-describedby", [desc && id + "-d", id + "-e"].filter(Boolean).join(" "));
    const label = h("label", { for: id }, f.title, f.required ? h("span", { class: "req", text: " " + t("form.required") }) : null);
    const box = f.type === "boolean";
    const row = h("div", { class: box ? "field check" : "field" }, box ? [input, label] : [label, desc, input], box ? desc : null, err);
    rows[f.name] = { f, input, err };
    form.append(row);
  }
  const save = h("button", { type: "submit", class: "primary", text: submitLabel });
  form.append(h("div", { class: "actions" }, save));
  const show = (name, text) => {
    const r = rows[name];
    if (!r) return false;
    r.err.textContent = text || "";
    r.err.hidden = !text;
    r.input.setAttribute("aria-invalid", text ? "true" : "false");
    return true;
  };
  form.addEventListener("submit", async e => {
    e.preventDefault();
    general.hidden = true;
    const out = {};
    let first = null;
    for (const [name, { f, input }] of Object.entries(rows)) {
      const { value, error } = check(f, f.type === "boolean" ? input.checked : input.value);
      show(name, error);
      if (error) first ||= input; else if (value !== undefined) out[name] = value;
    }
    if (first) { invalid?.(); return first.focus() }
    save.disabled = true;
    save.textContent = t("form.saving");
    try { await submit(out) } catch (err) {
      if (err.shown || !form.isConnected) return;
      let bad = null;
      for (const [k, text] of Object.entries(err.data || {})) {
        const name = k.replace(/^(input|parameters)[./]/, "");
        if (show(name, String(text))) bad ||= rows[name].input;
      }
      general.textContent = bad ? t("form.fix") : err.message;
      general.hidden = false;
      general.tabIndex = -1;
      (bad || general).focus();
    } finally {
      if (form.isConnected) { save.disabled = false; save.textContent = submitLabel }
    }
  });
  return form;
}
function check(f, raw) {
  if (f.type === "boolean") return { value: raw };
  const text = String(raw).trim();
  if (!text) return f.required ? { error: t("v.required") } : {};
  let value = f.secret ? String(raw) : text;
  if (f.type === "integer" || f.type === "number") {
    value = Number(text);
    if (!Number.isFinite(value) || (f.type === "integer" && !Number.isInteger(value))) return { error: t(`v.${f.type}`) };
    if (f.minimum != null && value < f.minimum) return { error: t("v.minimum", { min: f.minimum }) };
    if (f.maximum != null && value > f.maximum) return { error: t("v.maximum", { max: f.maximum }) };
  } else if (f.type === "object" || f.type === "array") {
    try { value = JSON.parse(text) } catch { return { error: t("v.json") } }
    if (Array.isArray(value) !== (f.type === "array") || typeof value !== "object" || !value) return { error: t("v." + f.type) };
  }
  if (f.enum && !f.enum.map(String).includes(String(value))) return { error: t("v.enum") };
  if (f.enum) value = f.enum.find(o => String(o) === String(value));
  if (typeof value === "string") {
    if (f.minLength != null && value.length < f.minLength) return { error: t("v.minLength", { min: f.minLength }) };
    if (f.maxLength != null && value.length > f.maxLength) return { error: t("v.maxLength", { max: f.maxLength }) };
    if (f.pattern) { try { if (!new RegExp(f.pattern, "u").test(value)) return { error: t("v.pattern") } } catch { } }
    if (f.format === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return { error: t("v.email") };
    if ((f.format === "uri" || f.format === "url") && !httpURL(value)) return { error: t("v.url") };
  }
  return { value };
}

// A connection: its state in words, Reconnect, Test, Disconnect, and its flows.
async function loadConnection(id) {
  const c = await api("GET", `/connections/${enc(id)}`);
  const integ = await api("GET", `/integrations/${enc(c.integrationId)}`).catch(e => { if (e.shown) throw e; return null });
  return { c, integ, name: integ?.name || c.name || t("connection.unnamed") };
}
async function connection(id, isStart, note) {
  const { c, integ, name } = await loadConnection(id);
  const bad = attention(c);
  const lastError = c.disconnectedReason || c.lastRefreshError || c.revokeError;
  const status = h("p", { class: "status", role: "status", text: note || "" });
  const reconnect = () => {
    current = "connect/";
    loading();
    connect(integ?.key || c.integrationId, c.id, false).catch(e => failed(e));
  };
  const test = async () => {
    status.textContent = t("connection.testing");
    try { await api("POST", `/connections/${enc(c.id)}/test`); status.textContent = t("connection.testOK", { name }) } catch (e) {
      if (!e.shown) status.textContent = t("connection.testFailed", { message: e.message });
    }
  };
  const actions = h("div", { class: "actions" },
    btn(t("connection.reconnect"), reconnect, bad ? "primary" : ""),
    c.disconnected ? null : btn(t("connection.test"), test),
    c.disconnected ? null : btn(t("connection.disconnect"), () => confirm(), "danger"));
  const confirm = () => {
    const yes = btn(t("connection.disconnectYes"), async () => {
      yes.disabled = true;
      try {
        await api("POST", `/connections/${enc(c.id)}/disconnect`);
        await connection(id, isStart, t("connection.disconnected", { name }));
      } catch (e) { if (!e.shown) { yes.disabled = false; status.textContent = e.message } }
    }, "danger");
    const box = h("div", { class: "confirm", role: "alertdialog", "aria-labelledby": "confirm-q" },
      h("p", { id: "confirm-q", text: t("connection.disconnectAsk", { name }) }),
      h("div", { class: "actions" }, yes, btn(t("common.cancel"), () => { box.replaceWith(actions); actions.lastChild.focus() })));
    actions.replaceWith(box);
    yes.focus();
  };
  const stateText = c.disconnected ? "connection.stateDisconnected" : bad ? "connection.stateError" : "connection.stateOK";
  const flows = h("section", { "aria-labelledby": "flows-h" }, h("h2", { id: "flows-h", text: t("flows.title") }),
    para(t("common.loading"), "muted"));
  screen(name, [
    h("div", { class: "intro" }, logo(integ || { name }), h("p", { class: "lead" },
      h("span", { class: "badge " + (bad ? "attention" : "connected"), text: t(bad ? "state.attention" : "state.connected") }),
      " ", t(stateText, { name }))),
    lastError ? h("p", { class: c.disconnected ? "" : "error" },
      h("strong", { text: t(c.disconnected ? "connection.reason" : "connection.lastError") + " " }), lastError) : null,
    actions, status, flows], { back: backToList() });
  flowList(c).then(list => flows.lastChild.replaceWith(list), e => {
    if (!e.shown) flows.lastChild.replaceWith(para(e.status === 404 ? t("flows.none") : e.message, "error"));
  });
}

// Flows of the connection's integration, each with its instance's switch and parameters.
async function flowData(c) {
  const [flows, instances] = await Promise.all([
    api("GET", `/flows?integrationId=${enc(c.integrationId)}&layer=integration&limit=1000`),
    api("GET", `/flow-instances?connectionId=${enc(c.id)}&limit=1000`)]);
  const by = {};
  for (const i of instances.items || []) { if (i.parentId) by[i.parentId] = i; if (i.key) by["k:" + i.key] ||= i }
  return { flows: flows.items || [], inst: f => by[f.id] || by["k:" + f.key] };
}
async function flowList(c) {
  const { flows, inst } = await flowData(c);
  if (!flows.length) return para(t("flows.none"), "muted");
  return h("ul", { class: "flows" }, flows.map(f => flowItem(c, f, inst(f), false)));
}
function flowItem(c, f, inst, open) {
  const id = "flow-" + f.id, name = f.name || f.key, status = h("p", { class: "status", role: "status" });
  const toggle = h("input", { type: "checkbox", role: "switch", id: id + "-on", name: "enabled", checked: !!inst?.enabled,
    "aria-describedby": open ? null : id + "-h" });
  const save = async patch => {
    inst = inst ? await api("PATCH", `/flow-instances/${enc(inst.id)}`, patch)
      : await api("POST", "/flow-instances", { flowKey: f.key, connectionId: c.id, enabled: false, ...patch });
    toggle.checked = !!inst.enabled;
  };
  const schema = f.parametersSchema;
  let viaToggle = false;
  const form = schema && Object.keys(schema.properties || {}).length ? buildForm(fieldsOf(schema), inst?.parameters || {},
    t("flows.saveParams"), async parameters => {
      const on = viaToggle;
      viaToggle = false;
      await save({ enabled: toggle.checked, parameters });
      status.textContent = t(on && toggle.checked ? "flows.enabled" : "flows.paramsSaved", { name });
    }, () => { if (viaToggle) status.textContent = t("flows.fillFirst"); viaToggle = false }) : null;
  const region = form && h("div", { id: id + "-p", hidden: !open }, form);
  const more = form && !open && btn(t("flows.settings", { name }), () => expand(region.hidden), "link",
    { "aria-expanded": "false", "aria-controls": id + "-p" });
  const expand = show => {
    region.hidden = !show;
    more?.setAttribute("aria-expanded", String(show));
    if (show) region.querySelector("input,select,textarea")?.focus();
  };
  toggle.addEventListener("change", async () => {
    // A new instance of a flow with settings is turned on together with them (the form is checked first).
    if (form && !inst) { viaToggle = true; expand(true); return form.requestSubmit() }
    const on = toggle.checked;
    toggle.disabled = true;
    status.textContent = t("flows.saving");
    try { await save({ enabled: on }); status.textContent = t(on ? "flows.enabled" : "flows.disabled", { name }) } catch (e) {
      toggle.checked = !on;
      if (!e.shown) status.textContent = t("flows.failed", { message: e.message });
    } finally { toggle.disabled = false; if (toggle.isConnected) toggle.focus() }
  });
  return h("li", { class: "flow" },
    h("div", { class: "flow-head" }, open ? h("span") : h("h3", { id: id + "-h", text: name }),
      h("label", { class: "switch", for: id + "-on" }, toggle, h("span", { text: t("flows.on") }))),
    f.description ? para(f.description, "hint") : null, more, region, status);
}
async function flowPage(id, key, isStart) {
  const { c, integ, name } = await loadConnection(id);
  const { flows, inst } = await flowData(c);
  const f = flows.find(x => x.key === key);
  if (!f) return notFound(isStart);
  screen(f.name || key, [h("div", { class: "intro" }, logo(integ || { name }), para(t("flows.settingsFor", { name }), "lead")),
    h("ul", { class: "flows" }, flowItem(c, f, inst(f), true))]);
}

// Start: the embedding check, the token, then the route.
if (!embedOK) {
  screen(t("embed.title"), para(t("embed.text"), "lead"));
} else {
  post("ready");
  const problem = requestMode ? (requestToken ? null : "link") : cfg.unknownWorkspace ? "auth.unknownWorkspace" : tokenProblem(token);
  if (problem === "link") message(t("link.title"), t("link.expired"));
  else if (problem) authFailed(problem);
  else go(startRoute);
}
