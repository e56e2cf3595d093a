#!/usr/bin/env node
'use strict';
// Compiles the native addon, build/deployhook.node, with the system's C compiler: no node-gyp, nothing
// downloaded. It needs Node's headers (node_api.h, installed with Node) and deployhook.h (this checkout's
// include/, else `pkg-config --cflags deployhook`). It does not link libdeployhook: index.js loads that at
// run time. Environment: CC (default cc), CFLAGS (added), NODE_INCLUDE_DIR, DEPLOYHOOK_INCLUDE_DIR.
//   node bindings/node/build.js        (also `npm install` / `npm run build` in bindings/node)

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function fail(message) {
  process.stderr.write(`build.js: ${message}\n`);
  process.exit(1);
}

function firstDirectoryWith(file, directories) {
  return directories.find((directory) => directory && fs.existsSync(path.join(directory, file)));
}

const nodeInclude = firstDirectoryWith('node_api.h', [
  process.env.NODE_INCLUDE_DIR,
  path.join(path.dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
]);
if (!nodeInclude) fail("node_api.h not found: install Node's headers (Debian: libnode-dev) or set NODE_INCLUDE_DIR");

let deployhookFlags = [];
const headerDirectory = firstDirectoryWith('deployhook.h', [
  process.env.DEPLOYHOOK_INCLUDE_DIR,
  path.join(__dirname, '..', '..', 'include'),
]);
if (headerDirectory) {
  deployhookFlags = [`-I${headerDirectory}`];
} else {
  try {
    deployhookFlags = execFileSync('pkg-config', ['--cflags', 'deployhook'], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
  } catch {
    fail('deployhook.h not found: build from the repository, install deployhook (pkg-config), or set DEPLOYHOOK_INCLUDE_DIR');
  }
}

const output = path.join(__dirname, 'build', 'deployhook.node');
fs.mkdirSync(path.dirname(output), { recursive: true });
const compiler = process.env.CC || 'cc';
const args = [
  '-std=c11', '-O2', '-fPIC', '-shared', '-fvisibility=hidden', '-Wall', '-Wextra', '-pedantic',
  '-DNODE_GYP_MODULE_NAME=deployhook', `-I${nodeInclude}`, ...deployhookFlags,
  ...(process.env.CFLAGS ? process.env.CFLAGS.split(/\s+/).filter(Boolean) : []),
  path.join(__dirname, 'src', 'deployhook_node.c'),
  '-o', output, '-pthread', '-ldl',
  ...(process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : []),
];
try {
  execFileSync(compiler, args, { stdio: 'inherit' });
} catch {
  fail(`${compiler} failed`);
}
process.stdout.write(`built ${path.relative(process.cwd(), output) || output}\n`);
