'use strict';
// index.d.ts against a program that uses the whole API (test/types/check.ts), with tsc --strict.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const tsc = spawnSync('tsc', ['--version'], { encoding: 'utf8' });

test('index.d.ts: the API type-checks as a user writes it (tsc --strict)', { skip: tsc.status !== 0 && 'tsc is not installed (Debian: node-typescript)' }, () => {
  const run = spawnSync('tsc', ['--strict', '--noEmit', '--target', 'es2022', '--module', 'commonjs', '--lib', 'es2022,dom',
    path.join(__dirname, 'types', 'check.ts')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});
