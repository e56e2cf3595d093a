'use strict';
// Every result freed, every options copy released, every thread reused: 10,000 triggers with flat RSS,
// and the other paths (errors, waits with logs, fan-outs, interrupted calls) likewise.
const test = require('node:test');
const assert = require('node:assert/strict');
const v8 = require('node:v8');
const vm = require('node:vm');
const deployhook = require('..');
const { FAKE, HOOKS, ACCOUNT, TOKEN, buildOf } = require('./support.js');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const client = new deployhook.Client({ baseUrl: FAKE, apiToken: TOKEN, accountId: ACCOUNT, maxRetries: 0 });

/** RSS in MiB after a full collection (and the finalizers it queued). */
async function settledRss() {
  for (let round = 0; round < 3; round += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().rss / 2 ** 20;
}

test('10,000 triggers on a warm client: flat RSS', async (t) => {
  for (let i = 0; i < 1000; i += 1) await client.trigger(HOOKS.ok);
  const before = await settledRss();
  for (let i = 0; i < 10000; i += 1) {
    const build = await client.trigger(HOOKS.ok);
    assert.equal(build.status, 'queued');
  }
  const after = await settledRss();
  t.diagnostic(`RSS ${before.toFixed(1)} -> ${after.toFixed(1)} MiB`);
  assert.ok(after - before < 5, `RSS grew ${(after - before).toFixed(1)} MiB (${before.toFixed(1)} -> ${after.toFixed(1)})`);
});

test('errors, waits with logs, fan-outs, interrupted and own-options calls: flat RSS', async (t) => {
  const round = async () => {
    await client.trigger(HOOKS.unknown).catch(() => {});
    await client.trigger(HOOKS.ok, { signal: new AbortController().signal });
    await client.wait(buildOf(HOOKS.build_full), { onLog: () => {}, onStatus: () => {} });
    await client.triggerMany([HOOKS.ok, HOOKS.ok, 'not-a-hook', HOOKS.unknown]);
    await client.cancel(buildOf(HOOKS.cancel_stopped));
    const stop = new AbortController();
    const aborted = client.trigger(HOOKS.ok, { signal: stop.signal });
    stop.abort();
    await aborted.catch(() => {});
    new deployhook.Client({ baseUrl: FAKE }).close();
  };
  for (let i = 0; i < 100; i += 1) await round();
  const before = await settledRss();
  for (let i = 0; i < 500; i += 1) await round();
  const after = await settledRss();
  t.diagnostic(`RSS ${before.toFixed(1)} -> ${after.toFixed(1)} MiB`);
  assert.ok(after - before < 5, `RSS grew ${(after - before).toFixed(1)} MiB (${before.toFixed(1)} -> ${after.toFixed(1)})`);
});
