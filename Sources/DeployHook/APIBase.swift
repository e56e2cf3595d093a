/// A validated API base URL such as `https://api.cloudflare.com/client/v4`: http or https, a host, an
/// optional port, a path prefix; no user info, query or fragment. Compared by scheme, host, port and path.
public struct APIBase: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`, lower case.
    public let scheme: String
    /// The host, lower case; IPv6 literals keep their brackets.
    public let host: String
    /// The port, explicit or the scheme's default.
    public let port: Int
    /// The path prefix without a trailing slash, e.g. `/client/v4` (empty for the root).
    public let path: String

    /// Cloudflare's API base.
    public static let cloudflare = APIBase(validating: "https://api.cloudflare.com/client/v4")!

    /// Parses and validates `text`; nil when it is not an acceptable http(s) base URL.
    public init?(validating text: String) {
        guard let parts = URLParts(text), parts.query == nil else { return nil }
        self.scheme = parts.scheme
        self.host = parts.host
        self.port = parts.port
        var path = parts.path
        while path.hasSuffix("/") { path.removeLast() }
        self.path = path
    }

    /// Parses a base URL given as a setting called `name`. A trigger URL pasted as the base (a deploy-hook
    /// path, or a UUID anywhere) is refused: it would put the hook into every message that names the base.
    /// Neither error repeats the text.
    static func parsingSetting(_ text: String, name: String) throws(DeployHookError) -> APIBase {
        if text.lowercased().contains("deploy_hooks") || UUIDSpelling.occurs(in: text) {
            throw DeployHookError(.invalidArgument, "\(name) holds a deploy hook path or a UUID: give the API base " +
                                  "(e.g. https://api.cloudflare.com/client/v4), and the hook apart")
        }
        guard let base = APIBase(validating: text) else {
            throw DeployHookError(.invalidArgument, "\(name) must be an http(s) URL with a host and no user info, query or fragment")
        }
        return base
    }

    /// The normalized URL text (the port only when it is not the scheme's default).
    public var description: String {
        let defaultPort = URLParts.defaultPort(for: scheme)
        return "\(scheme)://\(host)\(port == defaultPort ? "" : ":\(port)")\(path)"
    }

    /// The path below the base where deploy hooks live, with a trailing slash.
    var deployHooksPath: String { path + "/workers/builds/deploy_hooks/" }

    /// True when `parts` names the same scheme, host and port as this base.
    func sameOrigin(as parts: URLParts) -> Bool {
        parts.scheme == scheme && parts.host == host && parts.port == port
    }
}

/// The pieces of an absolute http(s) URL, parsed strictly: anything unusual makes the parse fail.
struct URLParts: Equatable {
    var scheme: String
    var host: String
    var port: Int
    var path: String
    /// The query and fragment together (text from the first `?` or `#`), nil when absent.
    var query: String?

    static func defaultPort(for scheme: String) -> Int { scheme == "https" ? 443 : 80 }

    init?(_ text: String) {
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return nil }
        guard let separator = text.firstRange(of: "://") else { return nil }
        scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = text[separator.upperBound...]
        let isDelimiter: (Character) -> Bool = { $0 == "/" || $0 == "?" || $0 == "#" }
        let authorityEnd = rest.firstIndex(where: isDelimiter) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@"), let (host, port) = URLParts.splitAuthority(authority) else { return nil }
        self.host = host
        self.port = port ?? URLParts.defaultPort(for: scheme)
        let pathAndQuery = rest[authorityEnd...]
        let isQueryStart: (Character) -> Bool = { $0 == "?" || $0 == "#" }
        let queryStart = pathAndQuery.firstIndex(where: isQueryStart)
        path = String(pathAndQuery[..<(queryStart ?? pathAndQuery.endIndex)])
        query = queryStart.map { String(pathAndQuery[$0...]) }
    }

    /// Splits `host[:port]` or `[v6]:port`; validates the host's characters and the port's range.
    private static func splitAuthority(_ authority: Substring) -> (String, Int?)? {
        var hostPart = authority
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[...close]
            let afterHost = authority[authority.index(after: close)...]
            if !afterHost.isEmpty {
                guard afterHost.hasPrefix(":") else { return nil }
                portPart = afterHost.dropFirst()
            }
            let inner = hostPart.dropFirst().dropLast()
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            }
            let allowed = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == ".") }
            guard !hostPart.isEmpty, hostPart.allSatisfy(allowed) else { return nil }
        }
        guard let portText = portPart else { return (hostPart.lowercased(), nil) }
        guard (1...5).contains(portText.count), portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
              let port = Int(portText), (1...65_535).contains(port) else { return nil }
        return (hostPart.lowercased(), port)
    }
}
