# frozen_string_literal: true

module DeployHook
  # Every failure the library reports raises a subclass of Error, chosen by its code. The message is the
  # library's own (it never holds a hook or a token).
  class Error < StandardError
    # The library's stable name of the kind of failure, e.g. :NOT_FOUND (DEPLOYHOOK_ERR_NOT_FOUND without
    # its prefix); :UNKNOWN for a number this library version has no name for.
    attr_reader :code
    # The library's number for it (deployhook_error), e.g. 2.
    attr_reader :number
    # Cloudflare's error code (e.g. 12000), or nil when the answer carried none.
    attr_reader :api_code
    # The HTTP status of the last answer, or nil when none arrived.
    attr_reader :http_status
    # Cloudflare's request id (the cf-ray header of the last answer), or nil.
    attr_reader :cf_ray

    def initialize(message = nil, number: nil, api_code: nil, http_status: nil, cf_ray: nil)
      super(message)
      @number = number
      @code = number && DeployHook.error_code(number)
      @api_code = api_code
      @http_status = http_status
      @cf_ray = cf_ray
    end
  end

  class InvalidArgumentError < Error; end # 1: a bad hook, option or argument; nothing was sent
  class NotFoundError < Error; end        # 2: no such hook (or build, or account)
  class RateLimitedError < Error; end     # 3: HTTP 429 after the retries
  class APIError < Error; end             # 4: any other Cloudflare error envelope
  class HTTPError < Error; end            # 5: a non-2xx answer with no envelope
  class NetworkError < Error; end         # 6: could not resolve, connect, send or receive
  class TimeoutError < Error; end         # 7: the connect timeout or the total deadline passed
  class TLSError < Error; end             # 8: TLS handshake or certificate verification failed
  class ResponseError < Error; end        # 9: a malformed, unreadable or oversized answer
  class InternalError < Error; end        # 10: a bug or resource failure inside the library
  class WaitTimeoutError < Error; end     # 11: the build did not stop before the wait timeout
  class CancelledError < Error; end       # 12: the call was interrupted
  class NoCredentialsError < Error; end   # 13: following a build needs an API token and an account ID
  class UnknownError < Error; end         # a code this binding does not know (a newer library)

  ERROR_CLASSES = {
    ABI::DEPLOYHOOK_ERR_INVALID_ARGUMENT => InvalidArgumentError,
    ABI::DEPLOYHOOK_ERR_NOT_FOUND => NotFoundError,
    ABI::DEPLOYHOOK_ERR_RATE_LIMITED => RateLimitedError,
    ABI::DEPLOYHOOK_ERR_API => APIError,
    ABI::DEPLOYHOOK_ERR_HTTP => HTTPError,
    ABI::DEPLOYHOOK_ERR_NETWORK => NetworkError,
    ABI::DEPLOYHOOK_ERR_TIMEOUT => TimeoutError,
    ABI::DEPLOYHOOK_ERR_TLS => TLSError,
    ABI::DEPLOYHOOK_ERR_RESPONSE => ResponseError,
    ABI::DEPLOYHOOK_ERR_INTERNAL => InternalError,
    ABI::DEPLOYHOOK_ERR_WAIT_TIMEOUT => WaitTimeoutError,
    ABI::DEPLOYHOOK_ERR_CANCELLED => CancelledError,
    ABI::DEPLOYHOOK_ERR_NO_CREDENTIALS => NoCredentialsError
  }.freeze
end
