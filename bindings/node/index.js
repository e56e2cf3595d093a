'use strict';
// deployhook for Node.js: trigger Cloudflare Workers Builds deploy hooks and follow their builds, through
// libdeployhook (the C ABI of the Swift library). Conversion only: every rule, message and number is the
// library's. Every call runs on a thread of its own (never on the event loop, nor in libuv's pool) and
// settles a promise; wait events reach onStatus/onLog on the JS thread.

const fs = require('node:fs');
const path = require('node:path');
const errors = require('./errors.js');

const { DeployHookError, InvalidHookError, InvalidOptionError, InvalidArgumentError, errorFor } = errors;

let native;
try {
  native = require('./build/deployhook.node');
} catch (error) {
  error.message = `deployhook's native addon could not be loaded (build it with \`node build.js\` in ${__dirname}): ${error.message}`;
  throw error;
}

// ---- finding libdeployhook, in the Python binding's order ----

const ENVIRONMENT_VARIABLE = 'DEPLOYHOOK_LIBRARY';
const FILE = process.platform === 'darwin' ? 'libdeployhook.dylib' : 'libdeployhook.so';
const SONAME = process.platform === 'darwin' ? 'libdeployhook.0.dylib' : 'libdeployhook.so.0';
const BUILD_HINT = 'Build it from the repository root with `swift build -c release` (it lands in .build/release/), '
  + `then set ${ENVIRONMENT_VARIABLE} to its path or install it where the system's dynamic linker finds it.`;

let libraryPath = null;

/** The places to try, in order: [where, path]. */
function candidates() {
  const list = [];
  const explicit = process.env[ENVIRONMENT_VARIABLE];
  if (explicit) list.push([ENVIRONMENT_VARIABLE, explicit]);
  list.push(['bundled', path.join(__dirname, FILE)]);
  const checkout = path.join(__dirname, '..', '..');
  if (fs.existsSync(path.join(checkout, 'Package.swift'))) {
    list.push(['source checkout', path.join(checkout, '.build', 'release', FILE)]);
    list.push(['source checkout', path.join(checkout, 'packaging', 'build-tree', 'lib', SONAME)]);
  }
  list.push(['system', SONAME]);
  return list;
}

/** Loads the library on first use; throws an Error (code ERR_DLOPEN_FAILED) listing every place tried. */
function load() {
  if (libraryPath !== null) return;
  const tried = [];
  for (const [where, file] of candidates()) {
    if (where !== ENVIRONMENT_VARIABLE && where !== 'system' && !fs.existsSync(file)) {
      tried.push(`  - ${where}: ${file} (no such file)`);
      continue;
    }
    try {
      native.load(file);
      libraryPath = file;
      return;
    } catch (error) {
      tried.push(`  - ${where}: ${file} (${error.message})`);
      if (where === ENVIRONMENT_VARIABLE) {
        process.emitWarning(`${ENVIRONMENT_VARIABLE}=${file} could not be loaded (${error.message}); looking elsewhere`);
      }
    }
  }
  const error = new Error(`deployhook could not load its C library, libdeployhook. Tried, in order:\n${tried.join('\n')}\n${BUILD_HINT}`);
  error.code = 'ERR_DLOPEN_FAILED';
  throw error;
}

// ---- results ----

function date(text) {
  if (text === null) return null;
  const value = new Date(text);
  return Number.isNaN(value.getTime()) ? null : value;
}

/** A build, as the library reported it after a trigger, a wait or a cancel. */
class Build {
  constructor(raw) {
    this.buildUuid = raw.buildUuid;
    this.status = raw.status;
    this.outcome = raw.outcome;
    this.alreadyExists = raw.alreadyExists;
    this.alreadyStopped = raw.alreadyStopped;
    this.createdOn = date(raw.createdOn);
    this.initializingOn = date(raw.initializingOn);
    this.runningOn = date(raw.runningOn);
    this.stoppedOn = date(raw.stoppedOn);
    this.modifiedOn = date(raw.modifiedOn);
    this.previewUrl = raw.previewUrl;
    this.branch = raw.branch;
    this.commitHash = raw.commitHash;
    this.commitMessage = raw.commitMessage;
    this.author = raw.author;
    this.triggerSource = raw.triggerSource;
    this.deployHookName = raw.deployHookName;
    this.triggerName = raw.triggerName;
    this.httpStatus = raw.httpStatus || null;
    this.cfRay = raw.cfRay;
    this.#responseBody = raw.responseBody;
    Object.freeze(this);
  }

  #responseBody;

  /** The raw body of the last answer, exactly as sent (a getter: util.inspect and JSON.stringify skip it). */
  get responseBody() {
    return this.#responseBody;
  }
}

const EVENT_STATUS = 1;
const EVENT_LOG = 2;

const OPTIONS = ['baseUrl', 'timeout', 'connectTimeout', 'maxRetries', 'maxConcurrency', 'caFile', 'userAgent',
  'apiToken', 'accountId', 'waitTimeout'];

/** Sets an option through the library; throws its refusal as an InvalidOptionError. */
function set(handle, name, value) {
  const refused = native.set(handle, name, value);
  if (refused !== null) {
    throw errorFor({ code: refused[0], name: 'DEPLOYHOOK_ERR_INVALID_ARGUMENT', message: refused[1] }, InvalidOptionError);
  }
}

/** Triggers hooks and follows builds with fixed settings. Calls may run concurrently. */
class Client {
  #options;

  /**
   * Every option left undefined keeps the library's default (baseUrl: CLOUDFLARE_BASE_URL, else
   * Cloudflare's; apiToken, accountId: CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID). Times are in ms.
   * Throws InvalidOptionError (the library's message) for a value it refuses.
   */
  constructor(options = {}) {
    load();
    const handle = native.optionsNew();
    try {
      for (const name of OPTIONS) {
        if (options[name] !== undefined && options[name] !== null) set(handle, name, options[name]);
      }
    } catch (error) {
      native.release(handle);
      throw error;
    }
    this.#options = handle;
  }

  /** Triggers a deploy hook (its UUID or trigger URL); with `wait: true`, then waits for the build. */
  trigger(hook, options = {}) {
    if (options.wait) {
      return this.#follow(native.triggerAndWait, hook, options, InvalidHookError);
    }
    return this.#run((call) => native.trigger(call, hook), { signal: options.signal }, InvalidHookError);
  }

  /** Triggers every hook concurrently; resolves, in input order, to a Build or an error for each. */
  async triggerMany(hooks, options = {}) {
    const list = Array.from(hooks);
    const outcome = await this.#call((call) => native.triggerMany(call, list), { signal: options.signal });
    if (!Array.isArray(outcome)) throw errorFor(outcome, InvalidArgumentError);
    return outcome.map((raw) => {
      if (raw === null) return errorFor({ code: 10, name: 'DEPLOYHOOK_ERR_INTERNAL', message: 'no result (out of memory)' });
      return raw.code === 0 ? new Build(raw) : errorFor(raw, InvalidHookError);
    });
  }

  /** Waits for a build (a Build or its UUID) to stop; needs an API token and the account ID. */
  wait(build, options = {}) {
    return this.#follow(native.wait, typeof build === 'string' ? build : build?.buildUuid, options, InvalidArgumentError);
  }

  /** Cancels a build (a Build or its UUID); needs an API token and the account ID. */
  cancel(build, options = {}) {
    const uuid = typeof build === 'string' ? build : build?.buildUuid;
    return this.#run((call) => native.cancel(call, uuid), { signal: options.signal }, InvalidArgumentError);
  }

  /** Lets go of the options (calls in flight keep them until they end). Later calls reject. */
  close() {
    if (this.#options) native.release(this.#options);
    this.#options = null;
  }

  [Symbol.dispose ?? Symbol.for('nodejs.dispose')]() {
    this.close();
  }

  /** wait or triggerAndWait, relaying events to onStatus(status, buildUuid) and onLog(line, time). */
  #follow(start, target, options, invalid) {
    const { onStatus, onLog } = options;
    let failure = null;
    let events = null;
    return this.#run((call) => {
      if (onStatus || onLog) {
        events = (event, status, text, timestamp) => {
          if (failure !== null) return;
          try {
            if (event === EVENT_STATUS) onStatus?.(status, text);
            else if (event === EVENT_LOG) onLog?.(text, new Date(timestamp * 1000));
          } catch (error) { // kept for the caller; the wait is stopped, as nobody can hear it any more
            failure = { error };
            native.shutDown(call);
          }
        };
      }
      return start(call, target, Boolean(onLog), events);
    }, options, invalid, () => failure);
  }

  /** Runs a call with a Build as its outcome. */
  async #run(start, options, invalid, callbackFailure) {
    const raw = await this.#call(start, options);
    const failure = callbackFailure?.();
    if (failure) throw failure.error;
    if (raw.code !== 0) throw errorFor(raw, invalid);
    return new Build(raw);
  }

  /**
   * Runs start(options). A call that can be stopped on its own (by the signal, or because a callback threw)
   * gets a copy of the options made for it alone (deployhook_options_dup_linked), which an abort shuts down
   * (deployhook_options_shut_down: the call ends CANCELLED whether or not it had begun) without touching
   * any other call; it then rejects with the signal's reason.
   */
  async #call(start, { signal, waitTimeout, onStatus, onLog } = {}) {
    if (!this.#options) {
      const error = new Error('this deployhook Client is closed');
      error.code = 'ERR_INVALID_STATE';
      throw error;
    }
    const own = signal || onStatus || onLog || (waitTimeout !== undefined && waitTimeout !== null);
    if (!own) return start(this.#options);
    const call = native.dupLinked(this.#options);
    const shutDown = () => native.shutDown(call);
    try {
      if (waitTimeout !== undefined && waitTimeout !== null) set(call, 'waitTimeout', waitTimeout);
      if (signal?.aborted) shutDown();
      else signal?.addEventListener('abort', shutDown, { once: true });
      const raw = await start(call);
      if (signal?.aborted && [raw].flat().some((one) => one?.name === 'DEPLOYHOOK_ERR_CANCELLED')) {
        throw signal.reason;
      }
      return raw;
    } finally {
      signal?.removeEventListener('abort', shutDown);
      native.release(call);
    }
  }
}

let defaultClient = null;

/** Triggers a deploy hook with the default settings (one shared Client); see Client#trigger. */
function trigger(hook, options = {}) {
  defaultClient ??= new Client();
  return defaultClient.trigger(hook, options);
}

/** The library's version, e.g. '0.2.0'. */
function version() {
  load();
  return native.version();
}

module.exports = {
  trigger,
  Client,
  Build,
  version,
  libraryPath: () => { load(); return libraryPath; },
  ...errors,
};
delete module.exports.errorFor;
