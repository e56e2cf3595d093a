'use strict';
// Triggering: the Build, every error kind with its class, code and numbers, options, argument types.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
const deployhook = require('..');
const { errorFor } = require('../errors.js');
const { FAKE, HOOKS, delayedHook, delayedBuild, fakeRequests, fakeReset, closedPort } = require('./support.js');

const client = new deployhook.Client({ baseUrl: FAKE, maxRetries: 0, timeout: 10000 });

test('a trigger resolves to a Build with every field the answer carries', async () => {
  const build = await client.trigger(HOOKS.ok);
  assert.ok(build instanceof deployhook.Build);
  assert.equal(build.buildUuid, '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e');
  assert.equal(build.status, 'queued');
  assert.equal(build.outcome, null);
  assert.equal(build.alreadyExists, false);
  assert.equal(build.alreadyStopped, null);
  assert.ok(build.createdOn instanceof Date);
  assert.equal(build.createdOn.toISOString(), '2019-12-27T18:11:19.117Z');
  assert.equal(build.stoppedOn, null);
  assert.equal(build.previewUrl, null);
  assert.equal(build.httpStatus, 200);
  assert.match(build.cfRay, /^[0-9a-f]{16}-SJC$/);
  assert.equal(JSON.parse(build.responseBody).result.build_uuid, build.buildUuid);
  assert.ok(!Object.keys(build).includes('responseBody'), 'the raw body is not enumerable');
  assert.ok(Object.isFrozen(build));
});

test('already_exists, an unknown status and a result without status or flag', async () => {
  const pending = await client.trigger(HOOKS.already_exists);
  assert.equal(pending.alreadyExists, true);
  assert.equal(pending.status, 'running');
  assert.equal((await client.trigger(HOOKS.unknown_status)).status, 'unknown');
  const guide = await client.trigger(HOOKS.guide_shape);
  assert.equal(guide.buildUuid, '7c0e1b7a-4a51-4d35-9d4c-0f2b8e5b6a10');
  assert.equal(guide.status, 'unknown');
  assert.equal(guide.alreadyExists, null);
  assert.equal(guide.createdOn, null);
});

test('the hook in any letter case, with spaces around, or as its trigger URL', async () => {
  for (const given of [HOOKS.ok.toUpperCase(), ` ${HOOKS.ok}\t`, `${FAKE}/workers/builds/deploy_hooks/${HOOKS.ok}`]) {
    assert.equal((await client.trigger(given)).status, 'queued');
  }
});

test('retries are the library\'s: flaky succeeds on its third attempt', async () => {
  await fakeReset();
  const retrying = new deployhook.Client({ baseUrl: FAKE, maxRetries: 2 });
  assert.equal((await retrying.trigger(HOOKS.flaky)).status, 'queued');
  assert.equal((await fakeRequests()).length, 3);
});

/** Asserts that the trigger rejects with `cls`, its code and errno, and returns the error. */
async function rejects(promise, cls, code, errno) {
  const error = await promise.then(() => assert.fail('resolved'), (caught) => caught);
  assert.ok(error instanceof cls, `${error.name} is not a ${cls.name}: ${error.message}`);
  assert.ok(error instanceof deployhook.DeployHookError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, cls.name);
  assert.equal(error.code, code);
  assert.equal(error.errno, errno);
  assert.ok(error.message.length > 0);
  assert.match(error.stack, new RegExp(`^${cls.name}: `));
  return error;
}

test('INVALID_ARGUMENT: InvalidHookError, nothing sent', async () => {
  await fakeReset();
  for (const hook of ['not-a-hook', `https://elsewhere.example/client/v4/workers/builds/deploy_hooks/${HOOKS.ok}`, `${HOOKS.ok}/x`, '']) {
    const error = await rejects(client.trigger(hook), deployhook.InvalidHookError, 'INVALID_ARGUMENT', 1);
    assert.ok(error instanceof deployhook.InvalidArgumentError);
    assert.equal(error.httpStatus, null);
  }
  assert.deepEqual(await fakeRequests(), []);
});

test('a NUL inside a string never cuts it short: the library sees a control character and refuses it', async () => {
  await fakeReset();
  await rejects(client.trigger(`${HOOKS.ok}\0`), deployhook.InvalidHookError, 'INVALID_ARGUMENT', 1);
  await rejects(client.trigger(`${HOOKS.ok}\0ignored`), deployhook.InvalidHookError, 'INVALID_ARGUMENT', 1);
  assert.deepEqual(await fakeRequests(), []);
  assert.throws(() => new deployhook.Client({ baseUrl: `${FAKE}\0` }), deployhook.InvalidOptionError);
});

test('NOT_FOUND: NotFoundError with apiCode, httpStatus and cfRay', async () => {
  const error = await rejects(client.trigger(HOOKS.unknown), deployhook.NotFoundError, 'NOT_FOUND', 2);
  assert.equal(error.apiCode, 12000);
  assert.equal(error.httpStatus, 404);
  assert.match(error.cfRay, /-SJC$/);
  assert.equal(error.buildUuid, null);
  assert.equal(JSON.parse(error.responseBody).errors[0].code, 12000);
  assert.ok(!Object.keys(error).includes('responseBody'));
});

test('RATE_LIMITED: RateLimitedError', async () => {
  const error = await rejects(client.trigger(HOOKS.rate_limited), deployhook.RateLimitedError, 'RATE_LIMITED', 3);
  assert.equal(error.apiCode, 12051);
  assert.equal(error.httpStatus, 429);
});

test('API: APIError for an error envelope, also with HTTP 200', async () => {
  const error = await rejects(client.trigger(HOOKS.api_error), deployhook.APIError, 'API', 4);
  assert.equal(error.apiCode, 10000);
  assert.equal(error.httpStatus, 403);
  const ok200 = await rejects(client.trigger(HOOKS.success_false), deployhook.APIError, 'API', 4);
  assert.equal(ok200.apiCode, 10001);
  assert.equal(ok200.httpStatus, 200);
  assert.equal((await rejects(client.trigger(HOOKS.no_retry_500), deployhook.APIError, 'API', 4)).httpStatus, 500);
});

test('HTTP: HTTPError for an HTML 502 and a redirect (never followed)', async () => {
  assert.equal((await rejects(client.trigger(HOOKS.html_502), deployhook.HTTPError, 'HTTP', 5)).httpStatus, 502);
  assert.equal((await rejects(client.trigger(HOOKS.redirect), deployhook.HTTPError, 'HTTP', 5)).httpStatus, 302);
});

test('NETWORK: NetworkError for a closed port and a dropped connection', async () => {
  const closed = new deployhook.Client({ baseUrl: `http://127.0.0.1:${await closedPort()}/client/v4`, maxRetries: 0 });
  const error = await rejects(closed.trigger(HOOKS.ok), deployhook.NetworkError, 'NETWORK', 6);
  assert.equal(error.httpStatus, null);
  assert.equal(error.cfRay, null);
  await rejects(client.trigger(HOOKS.drop), deployhook.NetworkError, 'NETWORK', 6);
});

test('TIMEOUT: TimeoutError when the deadline passes', async () => {
  const hurried = new deployhook.Client({ baseUrl: FAKE, maxRetries: 0, timeout: 300 });
  await rejects(hurried.trigger(HOOKS.slow), deployhook.TimeoutError, 'TIMEOUT', 7);
});

test('TLS: TLSError when https meets a server that does not speak it', async () => {
  const tls = new deployhook.Client({ baseUrl: FAKE.replace('http:', 'https:'), maxRetries: 0 });
  await rejects(tls.trigger(HOOKS.ok), deployhook.TLSError, 'TLS', 8);
});

test('RESPONSE: ResponseError for a truncated body', async () => {
  await rejects(client.trigger(HOOKS.truncated), deployhook.ResponseError, 'RESPONSE', 9);
});

test('INTERNAL, and a code this version does not know: the library names it, the base class carries it', () => {
  const internal = errorFor({ code: 10, name: 'DEPLOYHOOK_ERR_INTERNAL', message: 'broken', apiCode: 0, httpStatus: 0, cfRay: null });
  assert.ok(internal instanceof deployhook.InternalError);
  assert.equal(internal.code, 'INTERNAL');
  assert.equal(internal.apiCode, null);
  const future = errorFor({ code: 99, name: 'DEPLOYHOOK_ERR_UNKNOWN', message: 'something new', apiCode: 0, httpStatus: 0, cfRay: null });
  assert.equal(future.constructor, deployhook.DeployHookError);
  assert.equal(future.code, 'UNKNOWN');
  assert.equal(future.errno, 99);
  assert.equal(future.message, 'something new');
  const cancelled = errorFor({ code: 12, name: 'DEPLOYHOOK_ERR_CANCELLED', message: 'the call was interrupted' });
  assert.ok(cancelled instanceof deployhook.CancelledError);
});

test('options are the library\'s: a refused value is an InvalidOptionError with its message', () => {
  const refused = [{ timeout: 0 }, { timeout: 86400001 }, { connectTimeout: -5 }, { maxRetries: 101 },
    { maxConcurrency: 0 }, { baseUrl: 'ftp://example.com' }, { caFile: '/nonexistent/ca.pem' },
    { userAgent: 'a\nb' }, { accountId: 'not an id' }, { waitTimeout: Number.NaN }, { apiToken: 'two words' },
    { timeout: 2 ** 70 }];
  for (const options of refused) {
    assert.throws(() => new deployhook.Client(options), deployhook.InvalidOptionError, JSON.stringify(options));
  }
  assert.throws(() => new deployhook.Client({ timeout: 0 }),
    { name: 'InvalidOptionError', code: 'INVALID_ARGUMENT', errno: 1, message: /timeout/ });
  for (const options of [{ timeout: '5' }, { baseUrl: 42 }, { maxRetries: {} }]) {
    assert.throws(() => new deployhook.Client(options), TypeError);
  }
  const full = new deployhook.Client({ baseUrl: FAKE, timeout: 1000, connectTimeout: 500, maxRetries: 0, maxConcurrency: 3,
    userAgent: 'deployhook-node-test', apiToken: 'token', accountId: 'account', waitTimeout: 1000, caFile: undefined });
  full.close();
});

test('the default User-Agent is the library\'s, naming the binding: deployhook/VERSION (node; OS)', async () => {
  await fakeReset();
  await client.trigger(HOOKS.ok);
  const sent = (await fakeRequests())[0].headers['user-agent'];
  assert.ok(sent.startsWith(`deployhook/${deployhook.version()} (node; `) && sent.endsWith(')'), sent);
  if (process.platform === 'linux') assert.equal(sent, `deployhook/${deployhook.version()} (node; linux)`);
});

test('the User-Agent set is the one sent', async () => {
  await fakeReset();
  await new deployhook.Client({ baseUrl: FAKE, userAgent: 'node-test/1.0' }).trigger(HOOKS.ok);
  assert.equal((await fakeRequests())[0].headers['user-agent'], 'node-test/1.0');
});

test('arguments of the wrong type reject with TypeError', async () => {
  await assert.rejects(client.trigger(42), TypeError);
  await assert.rejects(client.trigger(null), TypeError);
  await assert.rejects(client.triggerMany([HOOKS.ok, 7]), TypeError);
  await assert.rejects(client.wait(42), TypeError);
  await assert.rejects(client.cancel({}), TypeError);
});

test('the module-level trigger uses one default client and CLOUDFLARE_BASE_URL', async () => {
  process.env.CLOUDFLARE_BASE_URL = FAKE;
  try {
    assert.equal((await deployhook.trigger(HOOKS.ok)).status, 'queued');
    await assert.rejects(deployhook.trigger(HOOKS.unknown), deployhook.NotFoundError);
  } finally {
    delete process.env.CLOUDFLARE_BASE_URL;
  }
});

test('close(): later calls reject, calls in flight finish, closing twice is fine', async () => {
  const closing = new deployhook.Client({ baseUrl: FAKE });
  const inFlight = closing.trigger(delayedHook(1, 300));
  closing.close();
  closing.close();
  assert.equal((await inFlight).buildUuid, delayedBuild(delayedHook(1, 300)));
  await assert.rejects(closing.trigger(HOOKS.ok), { code: 'ERR_INVALID_STATE' });
});

test('the ES module exports the same objects', async () => {
  const esm = await import('../index.mjs');
  assert.equal(esm.Client, deployhook.Client);
  assert.equal(esm.NotFoundError, deployhook.NotFoundError);
  assert.equal(esm.default, deployhook);
  assert.equal(typeof esm.trigger, 'function');
});

test('version() is the library\'s and package.json carries VERSION', () => {
  const checkout = path.join(__dirname, '..', '..', '..');
  const version = fs.readFileSync(path.join(checkout, 'VERSION'), 'utf8').trim();
  assert.equal(deployhook.version(), version);
  assert.equal(require('../package.json').version, version);
  assert.ok(fs.existsSync(deployhook.libraryPath()) || deployhook.libraryPath() === 'libdeployhook.so.0');
});

test('a Client shows nothing of its settings', () => {
  const secretive = new deployhook.Client({ baseUrl: FAKE, apiToken: 'token-that-must-not-show' });
  assert.equal(util.inspect(secretive), 'Client {}');
  assert.equal(JSON.stringify(secretive), '{}');
});
