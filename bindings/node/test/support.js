'use strict';
// What the tests share: the servers test.sh started (the fake API and the emulator), their hooks, and
// helpers to look at secrets and at the fake's statistics.

const assert = require('node:assert/strict');
const util = require('node:util');
const net = require('node:net');

const FAKE = process.env.DEPLOYHOOK_TEST_API_URL; // http://127.0.0.1:<port>/client/v4
const EMULATOR = process.env.DEPLOYHOOK_TEST_EMULATOR_URL;
if (!FAKE || !EMULATOR) {
  throw new Error('run the suite with bindings/node/test.sh: DEPLOYHOOK_TEST_API_URL and DEPLOYHOOK_TEST_EMULATOR_URL are unset');
}
const FAKE_ROOT = FAKE.replace(/\/client\/v4$/, '');

// Tests/fake_api/SCENARIOS.md
const HOOKS = {
  ok: '11111111-1111-4111-8111-111111111111',
  guide_shape: '22222222-2222-4222-8222-222222222222',
  already_exists: '33333333-3333-4333-8333-333333333333',
  unknown_status: '44444444-4444-4444-8444-444444444444',
  rate_limited: '55555555-5555-4555-8555-555555555555',
  flaky: '66666666-6666-4666-8666-666666666666',
  html_502: '77777777-7777-4777-8777-777777777777',
  api_error: '88888888-8888-4888-8888-888888888888',
  truncated: '99999999-9999-4999-8999-999999999999',
  huge: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  drop: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  slow: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
  redirect: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd',
  success_false: 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee',
  no_retry_500: 'ffffffff-ffff-4fff-8fff-ffffffffffff',
  unknown: '0e0e0e0e-0e0e-4e0e-8e0e-0e0e0e0e0e0e',
  build_full: 'b0000003-0000-4000-8000-000000000003',
  logs_no_cursor_truncated: 'b0000004-0000-4000-8000-000000000004',
  cancel_running: 'b0000008-0000-4000-8000-000000000008',
  cancel_stopped: 'b0000009-0000-4000-8000-000000000009',
  cancel_stopped_error: 'b000000a-0000-4000-8000-00000000000a',
  slow_logs: 'b000000c-0000-4000-8000-00000000000c',
  echo_hook: 'b000000f-0000-4000-8000-00000000000f',
};
const ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353';
const TOKEN = 'fake-api-token-for-builds';

/** The build UUID the fake gives a BUILD_SCENARIOS hook: its first two characters 'b0' made 'bd'. */
const buildOf = (hook) => `bd${hook.slice(2)}`;

/** The delayed-family hook number `serial`, answering after `delayMs`. */
const delayedHook = (serial, delayMs) =>
  `de1a0000-0000-4000-8000-${String(serial).padStart(8, '0')}${String(delayMs).padStart(4, '0')}`;
const delayedBuild = (hook) => `b11d0000-0000-4000-8000-${hook.slice(24)}`;

// The emulator (started by test.sh): its default token and account; hooks given with --hook.
const EMU = {
  token: 'emulator-token',
  account: '0123456789abcdef0123456789abcdef',
  success: '5a7e3c1d-2b4f-4c6a-9e8d-0f1a2b3c4d5e', // success, phases of 0.2 s
  fail: '6b8f4d2e-3c5a-4d7b-8f9e-1a2b3c4d5e6f', // fail, phases of 0.2 s
  long: '7c9a5e3f-4d6b-4e8c-9a0f-2b3c4d5e6f7a', // success, phases of 30 s
};

async function fakeGet(path) {
  const answer = await fetch(`${FAKE_ROOT}${path}`);
  return answer.json();
}
const fakeStats = () => fakeGet('/_fake/stats');
const fakeRequests = () => fakeGet('/_fake/requests');
const fakeReset = () => fetch(`${FAKE_ROOT}/_fake/reset`, { method: 'POST' }).then((answer) => answer.json());

/** Everything an error shows: message, stack, util.inspect (also with hidden fields), JSON, String. */
function shownByError(error) {
  return [String(error), error.stack, util.inspect(error), util.inspect(error, { showHidden: false, depth: 5 }),
    JSON.stringify(error), error.cause ? shownByError(error.cause) : ''].join('\n');
}

/**
 * Asserts that `text` holds no spelling of `secret`: any letter case; a UUID also without its dashes and,
 * unless `tail` is false (a build scenario's build UUID shares its hook's tail), by its last 27 characters.
 */
function assertNoSecret(text, secret, { tail = true } = {}) {
  const lowered = text.toLowerCase();
  const forms = [secret.toLowerCase()];
  if (/^[0-9a-f-]{36}$/i.test(secret)) forms.push(secret.toLowerCase().replaceAll('-', ''));
  if (/^[0-9a-f-]{36}$/i.test(secret) && tail) forms.push(secret.toLowerCase().slice(9));
  for (const form of forms) assert.ok(!lowered.includes(form), `a secret (${form.slice(0, 4)}...) is shown in:\n${text}`);
}

/** A TCP port nothing listens on. */
function closedPort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves to [result, milliseconds] or [error, milliseconds]. */
async function timed(promise) {
  const start = performance.now();
  try {
    return [await promise, performance.now() - start, true];
  } catch (error) {
    return [error, performance.now() - start, false];
  }
}

module.exports = {
  FAKE, EMULATOR, HOOKS, ACCOUNT, TOKEN, EMU, buildOf, delayedHook, delayedBuild, fakeStats, fakeRequests,
  fakeReset, shownByError, assertNoSecret, closedPort, timed,
};
