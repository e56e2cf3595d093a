// Compiled (never run) by types.test.js with tsc --strict: the declarations of index.d.ts as a user meets them.
import {
  trigger, Client, Build, version, DeployHookError, NotFoundError, InvalidOptionError, NoCredentialsError,
  BuildStatus, BuildOutcome, ErrorCode,
} from '../../index';

async function main(): Promise<number> {
  const client = new Client({ baseUrl: 'http://127.0.0.1:8787/client/v4', timeout: 5000, maxRetries: 1, apiToken: 't' });
  const controller = new AbortController();
  const build: Build = await client.trigger('11111111-1111-4111-8111-111111111111', {
    wait: true,
    signal: controller.signal,
    onStatus: (status: BuildStatus, uuid: string) => console.log(status, uuid),
    onLog: (line: string, time: Date) => console.log(time.toISOString(), line),
    waitTimeout: 60000,
  });
  const outcome: BuildOutcome | null = build.outcome;
  const created: Date | null = build.createdOn;
  const body: string | null = build.responseBody;
  const many = await client.triggerMany(new Set(['a', 'b']));
  for (const one of many) {
    if (one instanceof DeployHookError) {
      const code: ErrorCode = one.code;
      console.log(code, one.errno, one.apiCode, one.httpStatus, one.cfRay, one.buildUuid);
    } else {
      console.log(one.buildUuid, one.status);
    }
  }
  await client.wait(build, { onLog: console.log });
  await client.wait('bd000003-0000-4000-8000-000000000003');
  const cancelled = await client.cancel(build, { signal: controller.signal });
  const stopped: boolean | null = cancelled.alreadyStopped;
  await trigger('hook');
  client.close();
  try {
    await trigger('hook');
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof NoCredentialsError) return error.errno ?? 1;
    if (error instanceof InvalidOptionError) return 1;
  }
  // @ts-expect-error a hook is a string
  await client.trigger(42);
  // @ts-expect-error no such option
  new Client({ baseURL: 'x' });
  // @ts-expect-error fields are read-only
  build.status = 'queued';
  console.log(outcome, created, body, stopped, version());
  return 0;
}

main().then((status) => { process.exitCode = status; });
declare const process: { exitCode: number };
