'use strict';
// The hook and the token are secrets: no message, stack, util.inspect output or JSON may hold them.
const test = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const deployhook = require('..');
const { FAKE, HOOKS, ACCOUNT, TOKEN, shownByError, assertNoSecret, closedPort } = require('./support.js');

const SHOWN = (value) => [util.inspect(value), util.inspect(value, { showHidden: true, depth: 10 }), JSON.stringify(value), String(value)].join('\n');

/** Everything a call's outcome shows: the error's texts, or the Build's. */
async function shownBy(promise) {
  try {
    return SHOWN(await promise);
  } catch (error) {
    return shownByError(error);
  }
}

test('no hook in any result or error, whatever the scenario and the form it is given in', async () => {
  const client = new deployhook.Client({ baseUrl: FAKE, maxRetries: 0, timeout: 3000 });
  for (const [scenario, hook] of Object.entries(HOOKS)) {
    if (scenario === 'slow' || scenario === 'huge') continue;
    const forms = [hook, hook.toUpperCase(), ` ${hook}\t`, `${FAKE}/workers/builds/deploy_hooks/${hook}`,
      `https://elsewhere.example/client/v4/workers/builds/deploy_hooks/${hook}`, `${hook}x`, `${hook}\0`,
      hook.replaceAll('-', '')];
    const tail = !hook.startsWith('b0');
    for (const given of forms) assertNoSecret(await shownBy(client.trigger(given)), hook, { tail });
    const many = await client.triggerMany(forms);
    assertNoSecret(many.map((outcome) => (outcome instanceof Error ? shownByError(outcome) : SHOWN(outcome))).join('\n'), hook, { tail });
  }
});

test('a server that echoes the hook everywhere: the library scrubs it, the binding shows none', async () => {
  const client = new deployhook.Client({ baseUrl: FAKE, apiToken: TOKEN, accountId: ACCOUNT, maxRetries: 0 });
  const lines = [];
  const statuses = [];
  const shown = await shownBy(client.trigger(HOOKS.echo_hook, {
    wait: true, onLog: (line) => lines.push(line), onStatus: (...args) => statuses.push(args.join(' ')),
  }));
  assertNoSecret(`${shown}\n${lines.join('\n')}\n${statuses.join('\n')}`, HOOKS.echo_hook);
  const error = await client.trigger(HOOKS.echo_hook).catch((caught) => caught);
  assertNoSecret(shownByError(error), HOOKS.echo_hook);
  assert.match(error.responseBody, new RegExp(HOOKS.echo_hook), 'the raw body, on demand, is exactly what was sent');
});

test('no hook in network errors and timeouts', async () => {
  const closed = new deployhook.Client({ baseUrl: `http://127.0.0.1:${await closedPort()}/client/v4`, maxRetries: 0 });
  assertNoSecret(await shownBy(closed.trigger(HOOKS.ok)), HOOKS.ok);
  const hurried = new deployhook.Client({ baseUrl: FAKE, timeout: 200 });
  assertNoSecret(await shownBy(hurried.trigger(HOOKS.slow)), HOOKS.slow);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  assertNoSecret(await shownBy(hurried.trigger(HOOKS.slow, { signal: controller.signal })), HOOKS.slow);
});

test('no token in a Client, its errors, or a refused token', async () => {
  const secret = 'wrong-token-0123456789-must-not-show';
  const client = new deployhook.Client({ baseUrl: FAKE, apiToken: secret, accountId: ACCOUNT, maxRetries: 0 });
  assertNoSecret(SHOWN(client), secret);
  assertNoSecret(await shownBy(client.wait('bd000003-0000-4000-8000-000000000003')), secret);
  assertNoSecret(await shownBy(client.cancel('bd000008-0000-4000-8000-000000000008')), secret);
  assertNoSecret(await shownBy(client.trigger(HOOKS.build_full, { wait: true })), secret);
  const refusedSecret = 'a token with spaces that must not show';
  const refused = (() => {
    try {
      return new deployhook.Client({ apiToken: refusedSecret });
    } catch (error) {
      return error;
    }
  })();
  assert.ok(refused instanceof deployhook.InvalidOptionError);
  assertNoSecret(shownByError(refused), refusedSecret);
  const typed = (() => {
    try {
      return new deployhook.Client({ apiToken: 12345 });
    } catch (error) {
      return error;
    }
  })();
  assert.ok(typed instanceof TypeError);
});

test('a TypeError never quotes the value it refused', async () => {
  const client = new deployhook.Client({ baseUrl: FAKE });
  const hookLike = { toString: () => HOOKS.ok };
  const error = await client.trigger(hookLike).catch((caught) => caught);
  assert.ok(error instanceof TypeError);
  assertNoSecret(shownByError(error), HOOKS.ok);
});
