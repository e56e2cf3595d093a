'use strict';
// Finding libdeployhook: DEPLOYHOOK_LIBRARY, the bundled copy, the source checkout, the system; a clear
// error listing what was tried. Each case runs in a fresh process.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const PACKAGE = path.join(__dirname, '..');
const CHECKOUT_LIBRARY = path.join(PACKAGE, '..', '..', '.build', 'release', 'libdeployhook.so');
const PROBE = `
  const deployhook = require(process.argv[1]);
  try { console.log(JSON.stringify({ path: deployhook.libraryPath(), version: deployhook.version() })); }
  catch (error) { console.log(JSON.stringify({ code: error.code, message: error.message })); }`;

/** Runs PROBE with the package at `packageDir`; returns its JSON line and stderr. */
function probe(packageDir, environment = {}) {
  const env = { ...process.env, ...environment };
  delete env.DEPLOYHOOK_LIBRARY;
  if (environment.DEPLOYHOOK_LIBRARY) env.DEPLOYHOOK_LIBRARY = environment.DEPLOYHOOK_LIBRARY;
  const run = spawnSync(process.execPath, ['-e', PROBE, packageDir], { env, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return { ...JSON.parse(run.stdout), stderr: run.stderr };
}

const made = [];
test.after(() => { for (const directory of made) fs.rmSync(directory, { recursive: true, force: true }); });

/** A copy of the package outside the checkout (what `npm install` of it would give), with `extra` files. */
function copyPackage(extra = {}) {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'deployhook-node-'));
  made.push(directory);
  for (const file of ['index.js', 'index.mjs', 'errors.js', 'package.json']) {
    fs.copyFileSync(path.join(PACKAGE, file), path.join(directory, file));
  }
  fs.mkdirSync(path.join(directory, 'build'));
  fs.copyFileSync(path.join(PACKAGE, 'build', 'deployhook.node'), path.join(directory, 'build', 'deployhook.node'));
  for (const [name, source] of Object.entries(extra)) fs.copyFileSync(source, path.join(directory, name));
  return directory;
}

test('in the checkout, without DEPLOYHOOK_LIBRARY: its .build/release/libdeployhook.so', () => {
  const found = probe(PACKAGE);
  assert.equal(found.path, CHECKOUT_LIBRARY);
  assert.match(found.version, /^\d+\.\d+\.\d+$/);
});

test('DEPLOYHOOK_LIBRARY comes first', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'deployhook-lib-'));
  made.push(directory);
  const copy = path.join(directory, 'libdeployhook-copy.so');
  fs.copyFileSync(CHECKOUT_LIBRARY, copy);
  assert.equal(probe(PACKAGE, { DEPLOYHOOK_LIBRARY: copy }).path, copy);
});

test('a DEPLOYHOOK_LIBRARY that cannot be loaded: a warning saying why, and the search goes on', () => {
  for (const bad of ['/nonexistent/libdeployhook.so', path.join(PACKAGE, 'package.json')]) {
    const found = probe(PACKAGE, { DEPLOYHOOK_LIBRARY: bad });
    assert.equal(found.path, CHECKOUT_LIBRARY);
    assert.match(found.stderr, /Warning: DEPLOYHOOK_LIBRARY=.* could not be loaded \(.+\); looking elsewhere/);
  }
});

test('a copy outside the checkout with the library bundled beside index.js loads that one', () => {
  const directory = copyPackage({ 'libdeployhook.so': CHECKOUT_LIBRARY });
  assert.equal(probe(directory).path, path.join(directory, 'libdeployhook.so'));
});

test('nothing to load: require works, first use throws ERR_DLOPEN_FAILED listing every place tried', () => {
  const directory = copyPackage();
  const found = probe(directory, { DEPLOYHOOK_LIBRARY: '/nonexistent/libdeployhook.so', LD_LIBRARY_PATH: '' });
  if (found.path === 'libdeployhook.so.0') return; // installed on this system: that is the last place tried
  assert.equal(found.code, 'ERR_DLOPEN_FAILED');
  const lines = found.message.split('\n');
  assert.equal(lines[0], 'deployhook could not load its C library, libdeployhook. Tried, in order:');
  assert.match(lines[1], /^ {2}- DEPLOYHOOK_LIBRARY: \/nonexistent\/libdeployhook\.so \(.+\)$/);
  assert.equal(lines[2], `  - bundled: ${path.join(directory, 'libdeployhook.so')} (no such file)`);
  assert.match(lines[3], /^ {2}- system: libdeployhook\.so\.0 \(.+\)$/);
  assert.match(lines[4], /swift build -c release/);
});

test('the ES module imports without the library; its first use throws', () => {
  const directory = copyPackage();
  const script = `import(${JSON.stringify(path.join(directory, 'index.mjs'))}).then((m) => { try { m.version(); console.log('loaded'); } catch (e) { console.log(e.code); } })`;
  const env = { ...process.env, LD_LIBRARY_PATH: '' };
  delete env.DEPLOYHOOK_LIBRARY;
  const run = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout.trim(), /^(ERR_DLOPEN_FAILED|loaded)$/);
});
