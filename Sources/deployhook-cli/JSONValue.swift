/// A JSON value with ordered object keys, rendered on one line.
indirect enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case object([(String, JSONValue)])

    /// A string, or null for nil.
    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    /// Compact JSON text.
    var rendered: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .string(let text): Self.quoted(text)
        case .object(let fields): "{" + fields.map { "\(Self.quoted($0.0)):\($0.1.rendered)" }.joined(separator: ",") + "}"
        }
    }

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.rendered == rhs.rendered }

    /// `text` as a JSON string. Every character `SafeText.isControl` names (C0, DEL, C1, U+2028, U+2029)
    /// is escaped, and so is `[` (so no printed line holds a `##[` workflow command): the printed line
    /// holds no control character, and the parsed value is exactly `text`.
    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where SafeText.isControl(scalar) || scalar == "[":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
