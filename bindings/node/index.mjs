// The ES module face of deployhook: the same objects as the CommonJS index.js.
import deployhook from './index.js';

export const {
  trigger, Client, Build, version, libraryPath, DeployHookError, InvalidArgumentError, InvalidHookError,
  InvalidOptionError, NotFoundError, RateLimitedError, APIError, HTTPError, NetworkError, TimeoutError, TLSError,
  ResponseError, InternalError, WaitTimeoutError, CancelledError, NoCredentialsError,
} = deployhook;
export default deployhook;
