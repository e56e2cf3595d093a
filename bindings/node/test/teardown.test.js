'use strict';
// An environment torn down with calls in flight (a worker terminated, the process exiting): the threads
// stop using it, results are freed, nothing crashes, and the rest of the process goes on.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { FAKE, HOOKS, TOKEN, ACCOUNT, buildOf } = require('./support.js');

test('worker threads terminated mid-call, then a process exiting mid-call', () => {
  const run = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'teardown.js'), FAKE, TOKEN, ACCOUNT,
    HOOKS.slow, buildOf(HOOKS.slow_logs), HOOKS.ok], { encoding: 'utf8', timeout: 60000 });
  assert.equal(run.signal, null, `killed by ${run.signal}: ${run.stderr}`);
  assert.equal(run.stdout, 'worker: queued\nmain: queued\n', run.stderr);
  assert.equal(run.status, 7, run.stderr);
});
