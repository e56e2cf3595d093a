#!/usr/bin/env node
// Trigger a Cloudflare Workers Builds deploy hook, and optionally follow the build until it stops.
const USAGE = `Usage: trigger.mjs [--wait] [--logs] [HOOK]

HOOK is the deploy hook's UUID or its full trigger URL. Without the argument it is read from
CLOUDFLARE_DEPLOY_HOOK, which is better: an argument shows in \`ps\` to every user of the machine.
CLOUDFLARE_BASE_URL, when set, replaces https://api.cloudflare.com/client/v4.

  --wait   wait for the build to stop, printing each status it goes through. Needs an API token with
           Workers Builds permissions in CLOUDFLARE_API_TOKEN and the account in CLOUDFLARE_ACCOUNT_ID.
  --logs   also print the build's log lines as they come (implies --wait).

Ctrl-C stops the call at once (exit status 130).

Exit status: 0 when a build was started or one was already pending (with --wait: when it succeeded);
20 with --wait when the build stopped without succeeding (fail, skipped, cancelled, terminated);
otherwise the error's errno: 1 bad hook, usage or missing token/account, 2 no such hook (or build),
3 rate limited, 4 Cloudflare error (e.g. a wrong token), 5 HTTP error, 6 network, 7 timeout, 8 TLS,
9 malformed response, 10 internal error, 11 the build did not stop within 25 minutes, 13 no API token
or account ID.

Run it from the repository (after \`swift build -c release\` and \`node bindings/node/build.js\`):
    CLOUDFLARE_DEPLOY_HOOK=<uuid> node examples/node/trigger.mjs
or against the emulator (\`PYTHONPATH=bindings/python python3 -m deployhook.emulator\`, whose demo hook is
00000000-0000-4000-8000-000000000000 and whose token is emulator-token) with --wait --logs.`;

import * as deployhook from '../../bindings/node/index.mjs';

const BUILD_DID_NOT_SUCCEED = 20; // beyond every error number
const INVALID_ARGUMENT = 1;

async function main(argv) {
  if (argv.includes('-h') || argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const logs = argv.includes('--logs');
  const wait = logs || argv.includes('--wait');
  const rest = argv.filter((argument) => argument !== '--wait' && argument !== '--logs');
  if (rest.length > 1 || rest.some((argument) => argument.startsWith('--'))) {
    console.error('usage: trigger.mjs [--wait] [--logs] [HOOK] (see --help)');
    return INVALID_ARGUMENT;
  }
  const hook = rest[0] ?? process.env.CLOUDFLARE_DEPLOY_HOOK ?? '';
  if (!hook) {
    console.error('trigger.mjs: no hook: set CLOUDFLARE_DEPLOY_HOOK or pass it as the argument (see --help)');
    return INVALID_ARGUMENT;
  }
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  let build;
  try {
    build = await deployhook.trigger(hook, {
      wait,
      signal: stop.signal,
      onStatus: (status) => console.log(`status ${status}`),
      onLog: logs ? (line) => console.log(`| ${line}`) : undefined,
    });
  } catch (error) {
    if (error.name === 'AbortError') {
      console.error('trigger.mjs: interrupted');
      return 130;
    }
    if (!(error instanceof deployhook.DeployHookError)) throw error;
    // The message already names the HTTP status and the API code.
    console.error(`trigger.mjs: ${error.message}${error.cfRay ? ` [cf-ray ${error.cfRay}]` : ''}`);
    return error.errno;
  }
  const pending = build.alreadyExists ? ' (a build was already pending: no new one was started)' : '';
  const ended = build.outcome !== null ? `, ${build.outcome}` : '';
  console.log(`build ${build.buildUuid ?? '(no id given)'}: ${build.status}${ended}${pending}`);
  if (build.createdOn) console.log(`created ${build.createdOn.toISOString()}`);
  if (build.stoppedOn) console.log(`stopped ${build.stoppedOn.toISOString()}`);
  if (build.previewUrl) console.log(`preview ${build.previewUrl}`);
  if (build.cfRay) console.log(`cf-ray ${build.cfRay}`);
  return wait && build.outcome !== 'success' ? BUILD_DID_NOT_SUCCEED : 0;
}

process.exitCode = await main(process.argv.slice(2));
