'use strict';
// Following and cancelling builds: against the fake's build scenarios, then the emulator's lifecycle.
const test = require('node:test');
const assert = require('node:assert/strict');
const deployhook = require('..');
const { FAKE, EMULATOR, HOOKS, ACCOUNT, TOKEN, EMU, buildOf, delayedHook, delayedBuild, fakeRequests, fakeReset, timed } =
  require('./support.js');

delete process.env.CLOUDFLARE_API_TOKEN;
delete process.env.CLOUDFLARE_ACCOUNT_ID;
const client = new deployhook.Client({ baseUrl: FAKE, apiToken: TOKEN, accountId: ACCOUNT, maxRetries: 0 });

test('trigger with wait: statuses and log lines on the JS thread, in order, before the final Build', async () => {
  const statuses = [];
  const lines = [];
  let settled = false;
  const promise = client.trigger(HOOKS.build_full, {
    wait: true,
    onStatus: (status, buildUuid) => { assert.equal(settled, false); statuses.push([status, buildUuid]); },
    onLog: (line, time) => { assert.equal(settled, false); lines.push([line, time]); },
  });
  const build = await promise;
  settled = true;
  assert.deepEqual(statuses, [['stopped', buildOf(HOOKS.build_full)]]);
  assert.equal(lines.length, 6);
  assert.equal(lines[0][0], 'Cloning repository...');
  assert.equal(lines[5][0], 'Success: deployed');
  assert.ok(lines[0][1] instanceof Date);
  assert.equal(lines[0][1].toISOString(), '2019-12-27T18:11:22.000Z');
  assert.deepEqual({ ...build, createdOn: undefined, initializingOn: undefined, runningOn: undefined, stoppedOn: undefined,
    modifiedOn: undefined, cfRay: undefined }, {
    buildUuid: buildOf(HOOKS.build_full), status: 'stopped', outcome: 'success', alreadyExists: false,
    alreadyStopped: null, previewUrl: 'https://1a2b3c4d-my-worker.my-subdomain.workers.dev', branch: 'main',
    commitHash: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b', commitMessage: 'Fix the café menu\n\nAnd its prices',
    author: 'ada@example.com', triggerSource: 'deploy_hook', deployHookName: 'Production deploy hook',
    triggerName: 'Deploy default branch', httpStatus: 200, createdOn: undefined, initializingOn: undefined,
    runningOn: undefined, stoppedOn: undefined, modifiedOn: undefined, cfRay: undefined,
  });
  assert.equal(build.createdOn.toISOString(), '2019-12-27T18:11:19.117Z');
  assert.equal(build.initializingOn.toISOString(), '2019-12-27T18:11:20.117Z');
  assert.equal(build.runningOn.toISOString(), '2019-12-27T18:11:21.117Z');
  assert.equal(build.stoppedOn.toISOString(), '2019-12-27T18:11:51.117Z');
  assert.equal(build.modifiedOn.toISOString(), '2019-12-27T18:11:51.117Z');
});

test('wait for a Build or its UUID; without onLog the logs are not fetched', async () => {
  await fakeReset();
  const triggered = await client.trigger(HOOKS.build_full);
  const statuses = [];
  const build = await client.wait(triggered, { onStatus: (status) => statuses.push(status) });
  assert.equal(build.outcome, 'success');
  assert.deepEqual(statuses, ['stopped']);
  assert.equal((await client.wait(triggered.buildUuid)).outcome, 'success');
  assert.ok(!(await fakeRequests()).some((request) => request.path.includes('/logs')));
});

test('a build seen running, then stopped: two statuses', async () => {
  await fakeReset();
  const statuses = [];
  const build = await client.trigger(HOOKS.logs_no_cursor_truncated, { wait: true, onStatus: (status) => statuses.push(status) });
  assert.deepEqual(statuses, ['running', 'stopped']);
  assert.equal(build.outcome, 'success');
});

test('cancel: a running build, one already stopped, and Cloudflare refusing', async () => {
  await fakeReset();
  const cancelled = await client.cancel(buildOf(HOOKS.cancel_running));
  assert.equal(cancelled.outcome, 'cancelled');
  assert.equal(cancelled.alreadyStopped, false);
  assert.equal(cancelled.status, 'stopped');
  assert.ok(cancelled.stoppedOn instanceof Date);
  const stopped = await client.cancel({ buildUuid: buildOf(HOOKS.cancel_stopped) });
  assert.equal(stopped.outcome, 'success');
  assert.equal(stopped.alreadyStopped, true);
  const refused = await client.cancel(buildOf(HOOKS.cancel_stopped_error)).catch((error) => error);
  assert.ok(refused instanceof deployhook.APIError);
  assert.equal(refused.apiCode, 12002);
  assert.equal(refused.httpStatus, 400);
  await fakeReset();
});

test('NO_CREDENTIALS: NoCredentialsError, and trigger with wait sends nothing', async () => {
  await fakeReset();
  const anonymous = new deployhook.Client({ baseUrl: FAKE });
  for (const call of [() => anonymous.wait(buildOf(HOOKS.build_full)), () => anonymous.cancel(buildOf(HOOKS.build_full)),
    () => anonymous.trigger(HOOKS.build_full, { wait: true })]) {
    const error = await call().catch((caught) => caught);
    assert.ok(error instanceof deployhook.NoCredentialsError, error.message);
    assert.ok(error instanceof deployhook.InvalidOptionError);
    assert.equal(error.code, 'NO_CREDENTIALS');
    assert.equal(error.errno, 13);
  }
  assert.deepEqual(await fakeRequests(), []);
});

test('WAIT_TIMEOUT: WaitTimeoutError naming the build, with a per-call waitTimeout', async () => {
  await fakeReset();
  const [error, elapsed] = await timed(client.wait(buildOf(HOOKS.cancel_running), { waitTimeout: 300 }));
  assert.ok(error instanceof deployhook.WaitTimeoutError, error.message);
  assert.equal(error.code, 'WAIT_TIMEOUT');
  assert.equal(error.errno, 11);
  assert.equal(error.buildUuid, buildOf(HOOKS.cancel_running));
  assert.ok(elapsed < 2000, `${elapsed} ms`);
  await assert.rejects(client.wait(buildOf(HOOKS.cancel_running), { waitTimeout: 0 }), deployhook.InvalidOptionError);
  const hurried = new deployhook.Client({ baseUrl: FAKE, apiToken: TOKEN, accountId: ACCOUNT, waitTimeout: 300 });
  await assert.rejects(hurried.wait(buildOf(HOOKS.cancel_running)), deployhook.WaitTimeoutError);
});

test('a wrong token, an unknown build, a build UUID that is not one', async () => {
  const wrong = new deployhook.Client({ baseUrl: FAKE, apiToken: 'wrong-token', accountId: ACCOUNT, maxRetries: 0 });
  const denied = await wrong.wait(buildOf(HOOKS.build_full)).catch((error) => error);
  assert.ok(denied instanceof deployhook.APIError);
  assert.equal(denied.apiCode, 10000);
  assert.equal(denied.httpStatus, 403);
  await assert.rejects(client.wait('182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e'), deployhook.NotFoundError);
  const invalid = await client.wait('not-a-uuid').catch((error) => error);
  assert.ok(invalid instanceof deployhook.InvalidArgumentError);
  assert.equal(invalid.code, 'INVALID_ARGUMENT');
});

test('a callback that throws stops the wait, which rejects with that error', async () => {
  const mistake = new Error('my callback broke');
  let calls = 0;
  const [error, elapsed] = await timed(client.wait(buildOf(HOOKS.slow_logs), {
    onLog: () => { calls += 1; throw mistake; },
  }));
  assert.equal(error, mistake);
  assert.equal(calls, 1);
  assert.ok(elapsed < 3000, `${elapsed} ms`);
});

test('a callback that throws ends its own wait only: the other calls of the same client go on', async () => {
  const controller = new AbortController();
  let statuses = 0;
  const other = client.wait(buildOf(HOOKS.cancel_running), { onStatus: () => { statuses += 1; }, signal: controller.signal });
  const plain = client.trigger(delayedHook(9, 800)); // on the client's own options
  let settled = false;
  other.then(() => { settled = true; }, () => { settled = true; });
  const mistake = new Error('one callback broke');
  await assert.rejects(client.wait(buildOf(HOOKS.slow_logs), { onStatus: () => { throw mistake; } }), (caught) => caught === mistake);
  assert.equal((await plain).buildUuid, delayedBuild(delayedHook(9, 800)));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(settled, false, 'the other wait ended');
  assert.ok(statuses >= 1);
  controller.abort();
  await assert.rejects(other, { name: 'AbortError' });
});

test('the emulator: a build through its phases, with logs, and a failing one', async () => {
  const emulator = new deployhook.Client({ baseUrl: EMULATOR, apiToken: EMU.token, accountId: EMU.account });
  const follow = async (hook) => {
    const statuses = [];
    const lines = [];
    const build = await emulator.trigger(hook, {
      wait: true, onStatus: (status) => statuses.push(status), onLog: (line) => lines.push(line),
    });
    return { build, statuses, lines };
  };
  const [success, fail] = await Promise.all([follow(EMU.success), follow(EMU.fail)]);
  assert.equal(success.build.outcome, 'success');
  assert.equal(success.build.status, 'stopped');
  assert.equal(success.statuses.at(-1), 'stopped');
  assert.equal(success.statuses[0], 'queued');
  assert.equal(success.lines.at(-1), 'Success: deployed');
  assert.match(success.build.previewUrl, /^https:\/\/[0-9a-f]{8}-my-worker\.my-subdomain\.workers\.dev$/);
  assert.equal(success.build.branch, 'main');
  assert.equal(success.build.triggerSource, 'deploy_hook');
  assert.match(success.build.cfRay, /-EMU$/);
  assert.equal(fail.build.outcome, 'fail');
  assert.equal(fail.build.previewUrl, null);
  assert.equal(fail.lines.at(-1), 'Build failed');
});

test('the emulator: cancelling a running build', async () => {
  const emulator = new deployhook.Client({ baseUrl: EMULATOR, apiToken: EMU.token, accountId: EMU.account });
  const build = await emulator.trigger(EMU.long);
  const cancelled = await emulator.cancel(build);
  assert.equal(cancelled.outcome, 'cancelled');
  assert.equal(cancelled.alreadyStopped, false);
  assert.equal((await emulator.cancel(build)).outcome, 'cancelled');
  const final = await emulator.wait(build, { onLog: () => {} });
  assert.equal(final.outcome, 'cancelled');
});
