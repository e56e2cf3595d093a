import CCurl

/// libcurl's process-wide setup, done once (curl_global_init is not thread-safe; a Swift global is
/// initialised exactly once, under a lock).
private let curlGlobalInitResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

/// The HTTP transport over libcurl's multi interface, on handles from `connections` (so their connections
/// outlive the call).
struct CurlTransport: HTTPTransport {
    let connections: ConnectionPool

    func session(_ ticket: Interrupter.Ticket) -> any TransferSession { CurlSession(connections, ticket) }

    /// Sets every option for one exchange; the first failing option's code, or CURLE_OK.
    fileprivate static func configure(_ handle: UnsafeMutableRawPointer, _ request: HTTPRequest,
                                      _ headers: UnsafeMutablePointer<curl_slist>?, _ exchange: CurlExchange) -> CURLcode {
        var result = CURLE_OK
        func set(_ option: @autoclosure () -> CURLcode) {
            if result == CURLE_OK { result = option() }
        }
        let context = Unmanaged.passUnretained(exchange).toOpaque()
        set(dh_curl_set_string(handle, CURLOPT_URL, request.url))
        set(dh_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(dh_curl_set_long(handle, CURLOPT_NOSIGNAL, 1))
        set(dh_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        set(dh_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        set(dh_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        set(dh_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.connectTimeout)))
        set(dh_curl_set_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(request.timeout)))
        set(dh_curl_set_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxBodyBytes)))
        set(dh_curl_set_slist(handle, CURLOPT_HTTPHEADER, headers))
        set(dh_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, exchange.errorBuffer))
        set(dh_curl_set_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody))
        set(dh_curl_set_pointer(handle, CURLOPT_WRITEDATA, context))
        set(dh_curl_set_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader))
        set(dh_curl_set_pointer(handle, CURLOPT_HEADERDATA, context))
        switch request.method {
        case .get:
            set(dh_curl_set_long(handle, CURLOPT_HTTPGET, 1))
        case .post, .put:
            // COPYPOSTFIELDS copies the (empty) body, so curl never falls back to reading stdin.
            set(dh_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, 0))
            set(dh_curl_set_string(handle, CURLOPT_COPYPOSTFIELDS, ""))
            if request.method == .put { set(dh_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, "PUT")) }
        }
        // An interrupted call removes its transfers at once, even one still resolving a name.
        let quick = dh_curl_quick_exit(handle)
        if quick != CURLE_UNKNOWN_OPTION { set(quick) }
        // Handles and their connections are reused, so the trust store must not be cached beyond a connection.
        let uncached = dh_curl_no_ca_cache(handle)
        if uncached != CURLE_NOT_BUILT_IN && uncached != CURLE_UNKNOWN_OPTION { set(uncached) }
        // The configured CA file, else what CABundle chose for this process (nil: libcurl's defaults).
        if let store = CABundle.store(caFile: request.caFile) {
            set(dh_curl_set_string(handle, CURLOPT_CAINFO, store.file))
            // This store only: its directory or none, so libcurl's built-in one (e.g. /etc/ssl/certs) adds
            // nothing. A TLS backend without CA directories refuses the option, which is then moot.
            let cleared = dh_curl_set_string(handle, CURLOPT_CAPATH, store.directory)
            if cleared != CURLE_NOT_BUILT_IN && cleared != CURLE_UNKNOWN_OPTION { set(cleared) }
        }
        return result
    }

    fileprivate static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// Maps a libcurl error to the core's classes.
    static func kind(of code: CURLcode) -> TransportFailure.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
             CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
             CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED, CURLE_SSL_CLIENTCERT:
            return .tls
        case CURLE_WEIRD_SERVER_REPLY, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_CONTENT_ENCODING, CURLE_HTTP2,
             CURLE_HTTP2_STREAM, CURLE_HTTP3, CURLE_TOO_MANY_REDIRECTS, CURLE_RANGE_ERROR:
            return .response
        case CURLE_OUT_OF_MEMORY, CURLE_FAILED_INIT, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_NOT_BUILT_IN, CURLE_UNKNOWN_OPTION:
            return .internal
        default:
            return .network
        }
    }

    /// curl's text for `code`, with the detail from the error buffer when there is one.
    static func describe(_ code: CURLcode, detail: String = "") -> String {
        let summary = curl_easy_strerror(code).map { String(cString: $0) } ?? "libcurl error"
        return detail.isEmpty || detail == summary ? summary : "\(summary): \(detail)"
    }
}

/// One exchange on a libcurl easy handle borrowed from a pool: the handle, its header list, and what the
/// callbacks collect. The object outlives every use of the handle (curl's callbacks point at it); it frees
/// the header list and gives the handle back.
final class CurlExchange {
    let request: HTTPRequest
    let handle: UnsafeMutableRawPointer
    private let pool: ConnectionPool
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var bodyTooLarge = false
    /// curl writes its detailed error text here (CURL_ERROR_SIZE bytes).
    let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?

    private init(_ request: HTTPRequest, _ handle: UnsafeMutableRawPointer, _ pool: ConnectionPool) {
        self.request = request
        self.handle = handle
        self.pool = pool
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        pool.give(easy: handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// A handle from `pool` configured for `request`, or why there is none.
    static func make(_ request: HTTPRequest, _ pool: ConnectionPool) -> Result<CurlExchange, TransportFailure> {
        guard curlGlobalInitResult == CURLE_OK else {
            return .failure(TransportFailure(kind: .internal, message: "libcurl failed to initialise"))
        }
        guard let handle = pool.takeEasy() else {
            return .failure(TransportFailure(kind: .internal, message: "libcurl could not create a handle"))
        }
        let exchange = CurlExchange(request, handle, pool)
        for line in request.headers + ["Content-Type:", "Expect:"] {
            guard let appended = curl_slist_append(exchange.headerList, line) else {
                return .failure(TransportFailure(kind: .internal, message: "out of memory building headers"))
            }
            exchange.headerList = appended
        }
        let configured = CurlTransport.configure(handle, request, exchange.headerList, exchange)
        guard configured == CURLE_OK else {
            return .failure(TransportFailure(kind: .internal, message: "libcurl rejected an option: \(CurlTransport.describe(configured))"))
        }
        return .success(exchange)
    }

    /// The outcome of this handle's transfer, which ended with `code`.
    func outcome(of code: CURLcode) -> Result<HTTPResponse, TransportFailure> {
        var status = 0
        _ = dh_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let partial = status > 0 ? HTTPResponse(status: status, headers: headers, body: []) : nil
        if bodyTooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return .failure(TransportFailure(kind: .response, message: "the response body exceeds \(request.maxBodyBytes) bytes", partial: partial))
        }
        // libcurl 7.x reports a header line over its 100 KiB limit as out of memory (newer ones as
        // CURLE_TOO_LARGE, 100): once a status line has arrived, that is the answer's fault, not ours.
        if status > 0 && (code == CURLE_OUT_OF_MEMORY || code.rawValue == 100) {
            return .failure(TransportFailure(kind: .response, message: "a response header is too large", partial: partial))
        }
        guard code == CURLE_OK else {
            return .failure(TransportFailure(kind: CurlTransport.kind(of: code), message: CurlTransport.describe(code, detail: errorText), partial: partial))
        }
        return .success(HTTPResponse(status: status, headers: headers, body: body))
    }

    var errorText: String { String(cString: errorBuffer) }
}

/// Appends a body chunk; returns 0 (aborting the transfer) once the body would exceed its limit.
private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
    let (length, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow, exchange.body.count + length <= exchange.request.maxBodyBytes else {
        exchange.bodyTooLarge = true
        return 0
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) { exchange.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
    return length
}

/// Records one header line; a status line starts a new response (after 1xx or a proxy's CONNECT answer).
/// Works on the bytes: names are ASCII, and only HTTP's optional whitespace (and the line's CRLF) is trimmed.
private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let exchange = Unmanaged<CurlExchange>.fromOpaque(context).takeUnretainedValue()
    let (length, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow else { return 0 }
    let line = UnsafeRawBufferPointer(start: data, count: length)
    if line.starts(with: "HTTP/".utf8) {
        exchange.headers = [:]
    } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
        let name = String(decoding: trimmingHTTPWhitespace(line[..<colon]), as: UTF8.self).lowercased()
        exchange.headers[name] = String(decoding: trimmingHTTPWhitespace(line[(colon + 1)...]), as: UTF8.self)
    }
    return length
}

/// `bytes` without leading and trailing spaces, tabs, CRs and LFs.
private func trimmingHTTPWhitespace(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
    func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
    guard let first = bytes.firstIndex(where: { !isWhitespace($0) }), let last = bytes.lastIndex(where: { !isWhitespace($0) }) else {
        return bytes[bytes.startIndex..<bytes.startIndex]
    }
    return bytes[first...last]
}
