import DeployHook

/// C strings as Swift text, with the invalid-argument errors the ABI promises.
enum CText {
    /// The text, or an error for NULL or invalid UTF-8. `name` says what it is in the message.
    static func required(_ text: UnsafePointer<CChar>?, _ name: String) throws(DeployHookError) -> String {
        guard let text else { throw DeployHookError(.invalidArgument, "the \(name) is NULL") }
        guard let string = String(validatingCString: text) else {
            throw DeployHookError(.invalidArgument, "the \(name) is not valid UTF-8")
        }
        return string
    }

    /// nil for NULL, the text otherwise, an error for invalid UTF-8.
    static func optional(_ text: UnsafePointer<CChar>?) throws(DeployHookError) -> String? {
        guard let text else { return nil }
        return try required(text, "text")
    }
}
