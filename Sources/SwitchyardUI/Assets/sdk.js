// Switchyard embed SDK: opens Switchyard's connect UI (integration catalogue, connect, connection
// and flow screens) from a SaaS's own frontend, in a modal iframe or the same window.
// One ES module, no dependencies, no build step. Use it either way:
//   import { Switchyard } from "https://switchyard.example.com/sdk.js";
//   <script type="module" src="https://switchyard.example.com/sdk.js"></script>  (then window.Switchyard)
// Reference: docs/sdk.md. The tenant token travels only in the iframe URL's fragment (never sent
// to a server) and in postMessage to the UI's origin; messages are accepted only from that origin
// and that iframe.

/** The SDK's version (also served immutable as /sdk-{version}.js). */
export const version = "0.1.0";

const READY_TIMEOUT_MS = 15000;
const THEMES = ["light", "dark", "auto"];
const here = new URL(import.meta.url);
let current = null; // the open modal, if any

const failure = (key, message) => ({ key, message });

/** Where the UI lives by default: the directory the SDK came from, or /ui when it came from the root. */
function defaultUI() {
  const dir = here.pathname.replace(/\/[^/]*$/, "");
  return here.origin + (dir || "/ui");
}

/** The workspace key of a tenant token (its payload is read, not verified: the server verifies it). */
function workspaceOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), c => c.charCodeAt(0))));
    const key = claims.workspaceKey ?? claims.iss;
    return { key: typeof key === "string" && key ? key : null, exp: typeof claims.exp === "number" ? claims.exp : null };
  } catch {
    return { key: null, exp: null };
  }
}

/**
 * Creates a client.
 * @param {object} options `token` (a tenant JWT) or `fetchToken` (async () => token), `uiUri`, `apiUri`,
 *   `theme` ("light" | "dark" | "auto"), `accent` ("#rrggbb").
 */
export function Switchyard(options = {}) {
  const opts = options || {};
  const uiUri = String(opts.uiUri || defaultUI()).replace(/\/+$/, "");
  const apiUri = String(opts.apiUri || here.origin).replace(/\/+$/, "");
  let uiOrigin = null;
  try { uiOrigin = new URL(uiUri).origin } catch { }
  const theme = THEMES.includes(opts.theme) ? opts.theme : "auto";
  const accent = /^#[0-9a-f]{6}$/i.test(opts.accent || "") ? opts.accent : null;
  if (opts.accent && !accent) console.warn("Switchyard: accent must be a #rrggbb colour; ignored");
  let cached = typeof opts.token === "string" ? opts.token : null;

  /** A token: the given one, or a fresh one from fetchToken when there is none or it is about to expire. */
  async function token(fresh = false) {
    if (typeof opts.fetchToken === "function") {
      const exp = cached && workspaceOf(cached).exp;
      if (!fresh && cached && (!exp || exp * 1000 > Date.now() + 30000)) return cached;
      let value;
      try { value = await opts.fetchToken() } catch (e) {
        throw failure("not_authenticated", `fetchToken failed: ${e?.message || e}`);
      }
      if (typeof value !== "string" || !value) throw failure("not_authenticated", "fetchToken returned no token");
      return (cached = value);
    }
    if (!cached) throw failure("not_authenticated", "no token: pass token or fetchToken to Switchyard()");
    return cached;
  }

  /** Opens the UI on a route; resolves with the connect result, or null when the user closes it. */
  async function show(route, { sameWindow = false, redirectUri, allowMultipleConnections } = {}) {
    if (!uiOrigin) throw failure("bad_request", `uiUri is not a URL: ${uiUri}`);
    const tok = await token();
    const workspace = workspaceOf(tok).key;
    if (!workspace) throw failure("not_authenticated", "the token is not a JWT naming a workspace (workspaceKey or iss)");
    const back = redirectUri ?? location.href;
    const frag = new URLSearchParams({ token: tok, route, theme });
    if (accent) frag.set("accent", accent);
    if (allowMultipleConnections) frag.set("allowMultipleConnections", "1");
    const url = `${uiUri}/embed/${encodeURIComponent(workspace)}#`;
    if (sameWindow) {
      frag.set("mode", "page");
      frag.set("return", back);
      location.assign(url + frag);
      return new Promise(() => { }); // the page goes away
    }
    frag.set("mode", "modal");
    frag.set("origin", location.origin);
    frag.set("return", back);
    current?.close(null);
    return new Promise((resolve, reject) => { current = modal(url + frag, resolve, reject) });
  }

  function modal(src, resolve, reject) {
    let settled = false, result = null;
    const settle = (ok, value) => { if (!settled) { settled = true; (ok ? resolve : reject)(value) } };
    const before = document.activeElement, overflow = document.documentElement.style.overflow;
    const overlay = document.createElement("div");
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-label", "Integrations");
    overlay.dataset.switchyard = "modal";
    Object.assign(overlay.style, {
      position: "fixed", inset: "0", zIndex: "2147483000", display: "flex", alignItems: "center",
      justifyContent: "center", background: "rgba(0, 0, 0, 0.5)",
    });
    const frame = document.createElement("iframe");
    frame.title = "Integrations";
    frame.src = src;
    Object.assign(frame.style, {
      width: "min(46rem, calc(100vw - 2rem))", height: "min(48rem, calc(100vh - 2rem))", border: "0",
      borderRadius: "0.75rem", background: theme === "dark" ? "#0d1117" : theme === "light" ? "#ffffff" : "Canvas",
      boxShadow: "0 1rem 3rem rgba(0, 0, 0, 0.35)",
    });
    overlay.append(frame);

    const readyTimer = setTimeout(() => {
      settle(false, failure("unavailable", `the Switchyard UI at ${uiOrigin} did not answer within 15 s `
        + "(is this page's origin in the workspace's uiAllowedOrigins?)"));
      close();
    }, READY_TIMEOUT_MS);

    const answerToken = async () => {
      let fresh = null;
      try { fresh = await token(true) } catch (e) { console.warn("Switchyard:", e.message) }
      frame.contentWindow?.postMessage({ source: "switchyard-host", type: "token", token: fresh }, uiOrigin);
    };
    const onMessage = e => {
      if (e.origin !== uiOrigin || e.source !== frame.contentWindow) return;
      const d = e.data;
      if (!d || typeof d !== "object" || d.source !== "switchyard") return;
      if (d.type === "ready") clearTimeout(readyTimer);
      else if (d.type === "result") { result = d.value ?? null; settle(true, result); close() }
      else if (d.type === "error") {
        settle(false, failure(String(d.error?.key || "unavailable"), String(d.error?.message || "the Switchyard UI reported an error")));
      } else if (d.type === "close") close();
      else if (d.type === "navigate" && typeof d.url === "string" && /^https?:\/\//i.test(d.url)) location.assign(d.url);
      else if (d.type === "token-request") answerToken();
    };
    const onKey = e => { if (e.key === "Escape") { e.stopPropagation(); close() } };
    const onFocus = e => { if (!overlay.contains(e.target)) frame.focus() };

    function close(value = result) {
      clearTimeout(readyTimer);
      removeEventListener("message", onMessage);
      document.removeEventListener("keydown", onKey, true);
      document.removeEventListener("focusin", onFocus, true);
      overlay.remove();
      document.documentElement.style.overflow = overflow;
      if (current?.overlay === overlay) current = null;
      settle(true, value);
      if (before && typeof before.focus === "function" && before.isConnected) before.focus();
    }

    addEventListener("message", onMessage);
    document.addEventListener("keydown", onKey, true);
    document.addEventListener("focusin", onFocus, true);
    document.documentElement.style.overflow = "hidden";
    document.body.append(overlay);
    frame.focus();
    return { overlay, close };
  }

  const client = {
    /** The integration catalogue; resolves null when closed. */
    open: () => show("catalogue"),
    /** One integration. */
    integration: key => ({
      /** Connects it; resolves {connectionId}, or null when the user closes the UI. */
      openNewConnection: (o = {}) => show(`connect/${encodeURIComponent(key)}`, o || {}),
    }),
    /** One connection. */
    connection: id => ({
      open: () => show(`connection/${encodeURIComponent(id)}`),
      flow: key => ({ openConfiguration: () => show(`connection/${encodeURIComponent(id)}/flow/${encodeURIComponent(key)}`) }),
      fieldMapping: key => ({
        openConfiguration: () => show(`connection/${encodeURIComponent(id)}/field-mapping/${encodeURIComponent(key)}`),
      }),
    }),
    /** Closes the open modal, if any (its promise resolves as if the user closed it). */
    close: () => current?.close(),
    /** fetch() against the Switchyard API with the tenant token (one retry with a fresh token on 401). */
    api: async (path, init = {}) => {
      const call = async fresh => {
        const headers = new Headers(init.headers || {});
        headers.set("Authorization", `Bearer ${await token(fresh)}`);
        return fetch(apiUri + path, { ...init, headers });
      };
      const res = await call(false);
      return res.status === 401 && typeof opts.fetchToken === "function" ? call(true) : res;
    },
    version,
  };
  return client;
}
Switchyard.version = version;

export default Switchyard;
globalThis.Switchyard = Switchyard;
