/// The JavaScript that runs inside every sandbox process: it reads jobs on stdin, runs each in a
/// fresh `vm` context, relays API calls to the engine, and writes results on stdout.
///
/// It is written to a private, read-only file at start-up and mounted into the sandbox.
enum SandboxRuntimeScript {
    /// The script's source.
    static let source = #"""
'use strict';
// Switchyard sandbox runtime. Runs inside a locked-down Node process (bubblewrap namespaces,
// Node permission model, no code generation from strings in this realm). Reads one JSON message
// per line on stdin and writes one per line on stdout. Each job runs in a fresh vm context, so
// nothing a job leaves in globals, prototypes or modules reaches the next job.
const vm = require('vm');

const send = (message) => { process.stdout.write(JSON.stringify(message) + '\n'); };
const pending = new Map();
let nextRequestId = 1;
let current = null;

function classify(error) {
  const message = String(error && error.message || error);
  // Errors thrown in a job's context are of that realm: compare names, not constructors.
  if (error && error.name === 'RangeError' && /allocation failed|Invalid string length|Invalid array length|Array buffer/i.test(message)) {
    return 'out_of_memory';
  }
  if (error && error.code === 'ERR_ACCESS_DENIED') return 'sandbox_violation';
  return 'runtime_error';
}

function serialize(value, maxBytes) {
  const seen = new Set();
  const check = (v, path) => {
    const t = typeof v;
    if (t === 'function') throw new TypeError(`result is not JSON: ${path} is a function`);
    if (t === 'bigint') throw new TypeError(`result is not JSON: ${path} is a BigInt`);
    if (t === 'symbol') throw new TypeError(`result is not JSON: ${path} is a Symbol`);
    if (t === 'number' && !Number.isFinite(v)) throw new TypeError(`result is not JSON: ${path} is ${v}`);
    if (v !== null && t === 'object') {
      if (seen.has(v)) throw new TypeError(`result is not JSON: ${path} refers back to itself (a cycle)`);
      seen.add(v);
      if (typeof v.toJSON !== 'function') {
        for (const key of Object.keys(v)) check(v[key], Array.isArray(v) ? `${path}[${key}]` : `${path}.${key}`);
      }
      seen.delete(v);
    }
  };
  check(value, 'result');
  const text = value === undefined ? 'null' : JSON.stringify(value);
  if (Buffer.byteLength(text) > maxBytes) {
    const error = new Error(`result is ${Buffer.byteLength(text)} bytes; the limit is ${maxBytes}`);
    error.kind = 'output_too_large';
    throw error;
  }
  return text;
}

function syntaxError(error, code) {
  // V8 puts "file:line" on the first stack line and a caret under the column.
  const stack = String(error.stack || '');
  const lineMatch = stack.match(/job\.js:(\d+)/);
  const line = lineMatch ? Number(lineMatch[1]) : undefined;
  let column;
  const lines = stack.split('\n');
  const caret = lines.findIndex((l) => /^\s*\^+\s*$/.test(l));
  if (caret > 0) column = lines[caret].indexOf('^') + 1;
  return { type: 'syntax_error', message: `${error.message} (line ${line ?? '?'}, column ${column ?? '?'})`, line, column };
}

// V8 gives no position for a module's syntax error. Re-parse the code as a script with the
// export keywords replaced by text of the same length, so lines and columns stay where they were.
function moduleSyntaxError(error, code) {
  const script = code.replace(/^(\s*)export default /gm, '$1module.exports=').replace(/^(\s*)export /gm, '$1       ');
  try {
    new vm.Script(script, { filename: 'job.js' });
  } catch (located) {
    if (located instanceof SyntaxError) return syntaxError(located, code);
  }
  return { type: 'syntax_error', message: error.message };
}

function makeConsole(job) {
  const write = (level) => (...args) => {
    if (job.logTruncated) return;
    const text = args.map((a) => {
      if (typeof a === 'string') return a;
      try { return JSON.stringify(a); } catch { return String(a); }
    }).join(' ');
    const size = Buffer.byteLength(text);
    if (job.logBytes + size > job.maxLogBytes) {
      job.logTruncated = true;
      job.logs.push({ level: 'warn', message: `console output truncated at ${job.maxLogBytes} bytes` });
      return;
    }
    job.logBytes += size;
    job.logs.push({ level, message: text });
  };
  return { log: write('info'), info: write('info'), warn: write('warn'), error: write('error'), debug: write('debug') };
}

function bridge(job, client, method, path, data, options) {
  if (job.done) return Promise.reject(new Error('the job has finished'));
  const requestId = nextRequestId++;
  return new Promise((resolve, reject) => {
    pending.set(requestId, { resolve, reject, job });
    send({ type: 'request', jobId: job.id, requestId, client, method, path: String(path ?? ''), data: data ?? null, options: options ?? null });
  });
}

// Timers a job sets are its own: the context sees numbers, and every timer still pending when
// the job ends is cleared, so nothing a job scheduled runs during a later job.
function timers(job) {
  let nextId = 1;
  const set = (repeat) => (fn, ms, ...args) => {
    if (typeof fn !== 'function') throw new TypeError('the callback must be a function');
    const id = nextId++;
    const run = () => {
      if (job.done) return;
      if (!repeat) job.timers.delete(id);
      fn(...args);
    };
    job.timers.set(id, repeat ? setInterval(run, Number(ms) || 0) : setTimeout(run, Number(ms) || 0));
    return id;
  };
  const clear = (id) => {
    const handle = job.timers.get(id);
    if (handle !== undefined) { clearTimeout(handle); job.timers.delete(id); }
  };
  return { setTimeout: set(false), setInterval: set(true), clearTimeout: clear, clearInterval: clear };
}

// Builds the job's global object and its API clients inside the new context, so the job sees
// only objects of its own realm plus one frozen bridge function.
const SETUP = `
(function (bridge, consoleImpl, timerImpl, base64) {
  'use strict';
  const makeClient = (name) => Object.freeze({
    get: (path, query, options) => bridge(name, 'GET', path, query, options),
    post: (path, data, options) => bridge(name, 'POST', path, data, options),
    put: (path, data, options) => bridge(name, 'PUT', path, data, options),
    patch: (path, data, options) => bridge(name, 'PATCH', path, data, options),
    delete: (path, query, options) => bridge(name, 'DELETE', path, query, options),
  });
  globalThis.console = Object.freeze({ ...consoleImpl });
  globalThis.setTimeout = (fn, ms, ...args) => timerImpl.setTimeout(fn, ms, ...args);
  globalThis.setInterval = (fn, ms, ...args) => timerImpl.setInterval(fn, ms, ...args);
  globalThis.clearTimeout = (id) => timerImpl.clearTimeout(id);
  globalThis.clearInterval = (id) => timerImpl.clearInterval(id);
  globalThis.atob = (text) => base64.decode(String(text));
  globalThis.btoa = (text) => base64.encode(String(text));
  return { external: makeClient('external'), internal: makeClient('internal'), engine: makeClient('engine') };
})`;

const base64 = { decode: (text) => atob(text), encode: (text) => btoa(text) };

async function run(message) {
  const job = {
    id: message.jobId, logs: [], logBytes: 0, logTruncated: false, done: false, timers: new Map(),
    maxLogBytes: message.maxLogBytes, maxOutputBytes: message.maxOutputBytes,
  };
  current = job;
  const started = process.hrtime.bigint();
  const finish = (payload) => {
    if (job.done) return;
    job.done = true;
    for (const handle of job.timers.values()) clearTimeout(handle);
    job.timers.clear();
    if (current === job) current = null;
    for (const [id, entry] of pending) if (entry.job === job) pending.delete(id);
    send({ type: 'result', jobId: job.id, logs: job.logs, durationMs: Number(process.hrtime.bigint() - started) / 1e6, ...payload });
  };
  job.finish = finish;
  let context;
  try {
    context = vm.createContext(Object.create(null), { codeGeneration: { strings: true, wasm: false }, microtaskMode: undefined });
    const clients = new vm.Script(SETUP, { filename: 'setup.js' }).runInContext(context)(
      (client, method, path, data, options) => bridge(job, client, method, path, data, options),
      makeConsole(job),
      timers(job),
      base64,
    );
    const fn = await load(message, context);
    if (typeof fn !== 'function') {
      return finish({ ok: false, error: { type: 'runtime_error', message: `the code must export a function (default export or module.exports); found ${typeof fn}` } });
    }
    const args = vm.runInContext('(json) => JSON.parse(json)', context)(JSON.stringify({
      input: message.input ?? null,
      credentials: message.credentials ?? null,
      parameters: message.parameters ?? null,
      connectorParameters: message.connectorParameters ?? null,
    }));
    args.externalApiClient = clients.external;
    args.internalApiClient = clients.internal;
    args.engineApiClient = clients.engine;
    const value = await fn(args);
    const text = serialize(value, job.maxOutputBytes);
    finish({ ok: true, valueJSON: text });
  } catch (error) {
    if (error && error.kind === 'syntax_error') return finish({ ok: false, error: error.detail });
    const type = (error && error.kind) || classify(error);
    const message = error && error.message !== undefined ? String(error.message) : String(error);
    const stack = error && typeof error.stack === 'string' ? error.stack.split('\n').filter((l) => !l.includes(__filename) && !l.includes('node:internal')).join('\n') : undefined;
    finish({ ok: false, error: { type, message, stack } });
  }
}

async function load(message, context) {
  const code = String(message.code);
  const isModule = /^\s*(export|import)\s/m.test(code);
  if (!isModule) {
    let script;
    try {
      script = new vm.Script(`(function (module, exports) {\n${code}\n})`, { filename: 'job.js', lineOffset: -1 });
    } catch (error) {
      throw Object.assign(new Error(error.message), { kind: 'syntax_error', detail: syntaxError(error, code) });
    }
    const module = { exports: {} };
    script.runInContext(context)(module, module.exports);
    const exported = module.exports;
    if (message.exportName) return exported && exported[message.exportName];
    return typeof exported === 'function' ? exported : exported && exported.default;
  }
  let module;
  try {
    module = new vm.SourceTextModule(code, { identifier: 'job.js', context });
  } catch (error) {
    throw Object.assign(new Error(error.message), { kind: 'syntax_error', detail: moduleSyntaxError(error, code) });
  }
  await module.link((specifier) => {
    throw Object.assign(new Error(`import of '${specifier}' is not allowed: custom code runs without modules`), { kind: 'sandbox_violation' });
  });
  await module.evaluate();
  return module.namespace[message.exportName || 'default'];
}

// Jobs run one after another; the engine sends the next only after a result, but a queue keeps
// the runtime correct even if it does not.
const queue = [];
let draining = false;
async function enqueue(message) {
  queue.push(message);
  if (draining) return;
  draining = true;
  while (queue.length) await run(queue.shift());
  draining = false;
}

let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let newline;
  while ((newline = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, newline);
    buffer = buffer.slice(newline + 1);
    if (!line) continue;
    const message = JSON.parse(line);
    if (message.type === 'run') enqueue(message);
    else if (message.type === 'response') {
      const entry = pending.get(message.requestId);
      if (!entry) continue;
      pending.delete(message.requestId);
      if (message.error) entry.reject(new Error(message.error));
      else entry.resolve(message.data);
    }
  }
});
process.stdin.on('end', () => process.exit(0));
// An error thrown from a job's timer or an unawaited promise fails that job.
const failCurrent = (error) => {
  if (current && !current.done) {
    current.finish({ ok: false, error: { type: classify(error), message: String(error && error.message || error), stack: String(error && error.stack || '') } });
  }
};
process.on('uncaughtException', failCurrent);
process.on('unhandledRejection', failCurrent);
send({ type: 'ready' });
"""#
}
