// Type declarations of deployhook for Node.js (written by hand; index.js is the implementation).

/** A build's status, in the API's words; 'unknown' when absent or not one of these. */
export type BuildStatus = 'queued' | 'initializing' | 'running' | 'stopped' | 'unknown';

/** How a stopped build ended, in the API's words; 'unknown' for a value this version does not know. */
export type BuildOutcome = 'success' | 'fail' | 'skipped' | 'cancelled' | 'terminated' | 'unknown';

/** The stable name of a kind of failure: the library's name without its 'DEPLOYHOOK_ERR_' prefix. */
export type ErrorCode =
  | 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'RATE_LIMITED' | 'API' | 'HTTP' | 'NETWORK' | 'TIMEOUT' | 'TLS'
  | 'RESPONSE' | 'INTERNAL' | 'WAIT_TIMEOUT' | 'CANCELLED' | 'NO_CREDENTIALS' | 'UNKNOWN';

/** Settings of a Client. Left undefined, each keeps the library's default. Times are in milliseconds. */
export interface ClientOptions {
  /** The API base (default: CLOUDFLARE_BASE_URL, else https://api.cloudflare.com/client/v4). */
  baseUrl?: string;
  /** The deadline of a whole call, retries included (default 60000); while waiting, of each poll. */
  timeout?: number;
  /** The limit on each connection attempt (default 5000). */
  connectTimeout?: number;
  /** How often a failed attempt is retried when that is safe, 0 to 100 (default 2). */
  maxRetries?: number;
  /** How many triggers triggerMany runs at once, 1 to 256 (default 8). */
  maxConcurrency?: number;
  /** A PEM file of CA certificates to trust instead of the system's. */
  caFile?: string;
  /** The User-Agent header (default the library's deployhook/VERSION (node; OS)). */
  userAgent?: string;
  /** An API token with Workers Builds permissions, to follow and cancel builds (default CLOUDFLARE_API_TOKEN). A secret: it is never shown. */
  apiToken?: string;
  /** The account the builds belong to (default CLOUDFLARE_ACCOUNT_ID). */
  accountId?: string;
  /** How long a wait may take in all (default 1500000, 25 min). */
  waitTimeout?: number;
}

/** What every call accepts. */
export interface CallOptions {
  /** Interrupts the call: it then rejects with the signal's reason (an AbortError unless you gave one). */
  signal?: AbortSignal;
}

/** Hearing a wait: both run on the JS thread, in order. A callback that throws stops the wait, which rejects with that error. */
export interface WaitOptions extends CallOptions {
  /** The first status seen and each change; the last one is 'stopped'. */
  onStatus?: (status: BuildStatus, buildUuid: string) => void;
  /** Each new line of the build's log (fetched only when this is given), with its time. */
  onLog?: (line: string, time: Date) => void;
  /** This wait's limit in ms, instead of the client's waitTimeout. */
  waitTimeout?: number;
}

export interface TriggerOptions extends WaitOptions {
  /** Then wait for the build to stop (needs an API token and the account ID); onStatus, onLog and waitTimeout apply only then. */
  wait?: boolean;
}

/** A build as the library reported it. Fields the answer did not carry are null. */
export class Build {
  private constructor();
  readonly buildUuid: string | null;
  readonly status: BuildStatus;
  /** How it ended, once a wait or a cancel saw it stop; null before. */
  readonly outcome: BuildOutcome | null;
  /** After a trigger: true when a build for the branch was already pending, so none was started. */
  readonly alreadyExists: boolean | null;
  /** After a cancel: true when the build had already stopped (outcome says how), false when this call cancelled it. */
  readonly alreadyStopped: boolean | null;
  readonly createdOn: Date | null;
  readonly initializingOn: Date | null;
  readonly runningOn: Date | null;
  readonly stoppedOn: Date | null;
  readonly modifiedOn: Date | null;
  readonly previewUrl: string | null;
  readonly branch: string | null;
  readonly commitHash: string | null;
  readonly commitMessage: string | null;
  readonly author: string | null;
  /** What triggered the build, as sent: 'push', 'pull_request', 'manual', 'api' or 'deploy_hook'. */
  readonly triggerSource: string | null;
  readonly deployHookName: string | null;
  readonly triggerName: string | null;
  /** The HTTP status of the last answer. */
  readonly httpStatus: number | null;
  /** Cloudflare's request id (cf-ray header) of the last answer, for support. */
  readonly cfRay: string | null;
  /** The raw body of the last answer, exactly as sent (not enumerable: never logged by accident). */
  readonly responseBody: string | null;
}

export class Client {
  /** @throws InvalidOptionError a value the library refuses; TypeError a value of the wrong type. */
  constructor(options?: ClientOptions);
  /** Triggers a deploy hook (its UUID or trigger URL: a secret, never shown). */
  trigger(hook: string, options?: TriggerOptions): Promise<Build>;
  /** Triggers every hook concurrently; resolves, in input order, to a Build or an error for each. */
  triggerMany(hooks: Iterable<string>, options?: CallOptions): Promise<Array<Build | DeployHookError>>;
  /** Waits for a build to stop; needs an API token and the account ID. */
  wait(build: Build | string, options?: WaitOptions): Promise<Build>;
  /** Cancels a build; needs an API token and the account ID. */
  cancel(build: Build | string, options?: CallOptions): Promise<Build>;
  /** Frees the client's options now; calls in flight go on, later ones reject. */
  close(): void;
}

/** Triggers a deploy hook with one shared Client of default settings (the environment's). */
export function trigger(hook: string, options?: TriggerOptions): Promise<Build>;

/** The library's version, e.g. '0.2.0'. Loads the library. */
export function version(): string;

/** The file the library was loaded from. Loads the library. */
export function libraryPath(): string;

/** Every failure; the message is the library's and never holds a hook or token. */
export class DeployHookError extends Error {
  readonly code: ErrorCode;
  /** The library's number for the kind, e.g. 2 for NOT_FOUND. */
  readonly errno: number | null;
  /** Cloudflare's error code, e.g. 12000. */
  readonly apiCode: number | null;
  readonly httpStatus: number | null;
  readonly cfRay: string | null;
  /** The build the call was about, when the library names one (a failed wait). */
  readonly buildUuid: string | null;
  /** The raw body of the last answer (not enumerable). */
  readonly responseBody: string | null;
}
/** INVALID_ARGUMENT: nothing was sent. */
export class InvalidArgumentError extends DeployHookError {}
/** INVALID_ARGUMENT for a deploy hook that is not a UUID or a trigger URL under the API base. */
export class InvalidHookError extends InvalidArgumentError {}
/** INVALID_ARGUMENT for a Client option (or waitTimeout) the library refused. */
export class InvalidOptionError extends InvalidArgumentError {}
export class NotFoundError extends DeployHookError {}
export class RateLimitedError extends DeployHookError {}
export class APIError extends DeployHookError {}
export class HTTPError extends DeployHookError {}
export class NetworkError extends DeployHookError {}
export class TimeoutError extends DeployHookError {}
export class TLSError extends DeployHookError {}
export class ResponseError extends DeployHookError {}
export class InternalError extends DeployHookError {}
export class WaitTimeoutError extends DeployHookError {}
export class CancelledError extends DeployHookError {}
/** NO_CREDENTIALS: following or cancelling a build needs an API token and an account ID. */
export class NoCredentialsError extends InvalidOptionError {}
