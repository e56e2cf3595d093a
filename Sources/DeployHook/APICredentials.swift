/// What following a build needs: the account and a user API token with Workers Builds permissions.
/// The token is a secret: it prints only as `[token]`, and is scrubbed from every error message.
public struct APICredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The environment variable read for the token when none is given.
    public static let tokenEnvironmentVariable = "CLOUDFLARE_API_TOKEN"
    /// The environment variable read for the account when none is given.
    public static let accountEnvironmentVariable = "CLOUDFLARE_ACCOUNT_ID"

    /// The account ID (not secret).
    public let accountID: String
    /// The token. Internal: only the request builder reads it.
    let token: String

    /// Validates both: the account ID is 1 to 64 letters, digits, `-` or `_`; the token 1 to 1024 visible ASCII characters.
    public init(accountID: String, token: String) throws(DeployHookError) {
        self.accountID = try Self.validAccountID(accountID)
        self.token = try Self.validToken(token)
    }

    /// `text` trimmed, when it is 1 to 64 letters, digits, `-` or `_`.
    static func validAccountID(_ text: String) throws(DeployHookError) -> String {
        let account = text.trimmingWhitespace()
        guard (1...64).contains(account.utf8.count),
              account.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else {
            throw DeployHookError(.invalidArgument, "the account ID must be 1 to 64 letters, digits, '-' or '_'")
        }
        return account
    }

    /// `text` trimmed, when it is 1 to 1024 visible ASCII characters (so it cannot break a header).
    static func validToken(_ text: String) throws(DeployHookError) -> String {
        let token = text.trimmingWhitespace()
        guard (1...1024).contains(token.utf8.count), token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw DeployHookError(.invalidArgument, "the API token must be 1 to 1024 visible ASCII characters")
        }
        return token
    }

    /// Never the token.
    public var description: String { "APICredentials(account: \(accountID), token: [token])" }
    /// Never the token.
    public var debugDescription: String { description }
    /// Shows `dump` and debuggers only the account.
    public var customMirror: Mirror { Mirror(self, children: ["accountID": accountID, "token": "[token]"]) }

    /// The token as a secret to scrub from messages.
    var secret: Secret { Secret(value: token, redacted: "[token]") }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self)
    }
}
