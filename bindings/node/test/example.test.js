'use strict';
// examples/node/trigger.mjs behaves as examples/python/trigger.py: against the emulator and the fake.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');
const { FAKE, EMULATOR, HOOKS, EMU, assertNoSecret } = require('./support.js');

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'node', 'trigger.mjs');
const ENV = {
  ...process.env, CLOUDFLARE_BASE_URL: EMULATOR, CLOUDFLARE_API_TOKEN: EMU.token, CLOUDFLARE_ACCOUNT_ID: EMU.account,
};
delete ENV.CLOUDFLARE_DEPLOY_HOOK;

/** Runs the example; resolves to {status, stdout, stderr}. */
function run(args, env = ENV) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [EXAMPLE, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('--logs: statuses, log lines, the build, exit 0; --wait on a failing build: exit 20', async () => {
  const [success, fail] = await Promise.all([run(['--logs', EMU.success]), run(['--wait', EMU.fail])]);
  assert.equal(success.status, 0, success.stderr);
  const lines = success.stdout.trim().split('\n');
  assert.equal(lines[0], 'status queued');
  assert.ok(lines.includes('| Success: deployed'));
  assert.ok(lines.includes('status stopped'));
  assert.ok(lines.some((line) => /^build [0-9a-f-]{36}: stopped, success$/.test(line)), success.stdout);
  assert.ok(lines.some((line) => /^preview https:\/\/.+\.workers\.dev$/.test(line)));
  assert.ok(lines.some((line) => /^cf-ray [0-9a-f]{16}-EMU$/.test(line)));
  assert.equal(fail.status, 20, fail.stderr);
  assert.match(fail.stdout, /: stopped, fail\n/);
  assert.ok(!fail.stdout.includes('| '), 'no log lines without --logs');
});

test('the hook from CLOUDFLARE_DEPLOY_HOOK; a trigger without waiting', async () => {
  const result = await run([], { ...ENV, CLOUDFLARE_BASE_URL: FAKE, CLOUDFLARE_DEPLOY_HOOK: HOOKS.already_exists });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, 'build 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e: running (a build was already pending: no new one was started)\n'
    + 'created 2019-12-27T18:11:19.117Z\n' + `cf-ray ${result.stdout.match(/cf-ray (\S+)/)[1]}\n`);
});

test('failures exit with the error\'s number and never show the hook', async () => {
  const notFound = await run([HOOKS.unknown], { ...ENV, CLOUDFLARE_BASE_URL: FAKE });
  assert.equal(notFound.status, 2);
  assert.match(notFound.stderr, /^trigger\.mjs: .+ \[cf-ray [0-9a-f]{16}-SJC\]\n$/);
  assertNoSecret(notFound.stdout + notFound.stderr, HOOKS.unknown);
  const invalid = await run(['not-a-hook']);
  assert.equal(invalid.status, 1);
  const noCredentials = await run(['--wait', EMU.success], { ...ENV, CLOUDFLARE_API_TOKEN: '' });
  assert.equal(noCredentials.status, 13, noCredentials.stderr);
});

test('usage: --help, no hook, two hooks, an unknown flag', () => {
  const help = spawnSync(process.execPath, [EXAMPLE, '--help'], { env: ENV, encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: trigger\.mjs \[--wait\] \[--logs\] \[HOOK\]/);
  for (const args of [[], [HOOKS.ok, HOOKS.ok], ['--verbose']]) {
    const usage = spawnSync(process.execPath, [EXAMPLE, ...args], { env: ENV, encoding: 'utf8' });
    assert.equal(usage.status, 1, args.join(' '));
    assert.match(usage.stderr, /^(usage: |trigger\.mjs: no hook)/);
  }
});

test('Ctrl-C stops a wait at once: exit 130', async () => {
  const child = spawn(process.execPath, [EXAMPLE, '--wait', EMU.long], { env: ENV });
  let stdout = '';
  await new Promise((resolve) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('status queued')) resolve();
    });
  });
  const sent = performance.now();
  child.kill('SIGINT');
  const status = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(status, 130);
  assert.ok(performance.now() - sent < 1000, `${performance.now() - sent} ms`);
});
