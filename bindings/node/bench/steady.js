#!/usr/bin/env node
'use strict';
// Steady state through the Node binding, as benchmarks/steady_deployhook.c does through the C library: one
// Client (the API base set), one untimed warm-up trigger, then COUNT sequential triggers, each checked for
// a queued build. Prints the seconds the COUNT triggers took.
//   node bindings/node/bench/steady.js BASE_URL HOOK COUNT
const deployhook = require('..');

async function main([base, hook, count]) {
  if (!count) {
    console.error('usage: steady.js BASE_URL HOOK COUNT');
    return 2;
  }
  const client = new deployhook.Client({ baseUrl: base });
  await client.trigger(hook); // warm-up: loading, the first thread, the first connection
  const start = process.hrtime.bigint();
  for (let i = 0; i < Number(count); i += 1) {
    const build = await client.trigger(hook);
    if (build.status !== 'queued') throw new Error(`not queued: ${build.status}`);
  }
  console.log((Number(process.hrtime.bigint() - start) / 1e9).toFixed(6));
  return 0;
}

main(process.argv.slice(2)).then((status) => { process.exitCode = status; });
