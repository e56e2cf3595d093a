'use strict';
// The error classes: one per kind of failure of libdeployhook, named as in the Python binding. The message,
// the code and every number come from the library; this file only picks the class.

/** Base class of every error deployhook reports. `message` is the library's; it never holds a secret. */
class DeployHookError extends Error {
  constructor(message, details = {}) {
    super(message);
    /** The stable name of the kind, e.g. 'NOT_FOUND' (the library's name without 'DEPLOYHOOK_ERR_'). */
    this.code = details.code ?? 'UNKNOWN';
    /** The library's number for the kind (deployhook_error), e.g. 2. */
    this.errno = details.errno ?? null;
    /** Cloudflare's error code (e.g. 12000), or null. */
    this.apiCode = details.apiCode || null;
    /** The HTTP status of the last answer, or null when none arrived. */
    this.httpStatus = details.httpStatus || null;
    /** Cloudflare's request id (the cf-ray header) of the last answer, or null. */
    this.cfRay = details.cfRay ?? null;
    /** The build the call was about, when the library names one (a failed wait), or null. */
    this.buildUuid = details.buildUuid ?? null;
    this.#responseBody = details.responseBody ?? null;
  }

  #responseBody;

  /** The raw body of the last answer, exactly as sent (a getter: util.inspect and JSON.stringify skip it). */
  get responseBody() {
    return this.#responseBody;
  }
}

class InvalidArgumentError extends DeployHookError {}
class InvalidHookError extends InvalidArgumentError {}
class InvalidOptionError extends InvalidArgumentError {}
class NotFoundError extends DeployHookError {}
class RateLimitedError extends DeployHookError {}
class APIError extends DeployHookError {}
class HTTPError extends DeployHookError {}
class NetworkError extends DeployHookError {}
class TimeoutError extends DeployHookError {}
class TLSError extends DeployHookError {}
class ResponseError extends DeployHookError {}
class InternalError extends DeployHookError {}
class WaitTimeoutError extends DeployHookError {}
class CancelledError extends DeployHookError {}
class NoCredentialsError extends InvalidOptionError {}

const classes = {
  DeployHookError, InvalidArgumentError, InvalidHookError, InvalidOptionError, NotFoundError, RateLimitedError,
  APIError, HTTPError, NetworkError, TimeoutError, TLSError, ResponseError, InternalError, WaitTimeoutError,
  CancelledError, NoCredentialsError,
};
for (const [name, cls] of Object.entries(classes)) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
}

// The class of each stable code; INVALID_ARGUMENT's depends on what was given (see errorFor).
const BY_CODE = {
  NOT_FOUND: NotFoundError, RATE_LIMITED: RateLimitedError, API: APIError, HTTP: HTTPError,
  NETWORK: NetworkError, TIMEOUT: TimeoutError, TLS: TLSError, RESPONSE: ResponseError, INTERNAL: InternalError,
  WAIT_TIMEOUT: WaitTimeoutError, CANCELLED: CancelledError, NO_CREDENTIALS: NoCredentialsError,
};

const PREFIX = 'DEPLOYHOOK_ERR_';

/**
 * The error for a failed result as the native part reads it ({code, name, message, apiCode, ...}):
 * the class of its code (`invalid` for INVALID_ARGUMENT), DeployHookError for a code this version does
 * not know (a newer library's: its code is then 'UNKNOWN', as the library names it).
 */
function errorFor(raw, invalid = InvalidArgumentError) {
  const code = raw.name && raw.name.startsWith(PREFIX) ? raw.name.slice(PREFIX.length) : 'UNKNOWN';
  const cls = code === 'INVALID_ARGUMENT' ? invalid : BY_CODE[code] ?? DeployHookError;
  return new cls(raw.message ?? raw.name, {
    code, errno: raw.code, apiCode: raw.apiCode, httpStatus: raw.httpStatus, cfRay: raw.cfRay,
    buildUuid: raw.buildUuid, responseBody: raw.responseBody,
  });
}

module.exports = { ...classes, errorFor };
