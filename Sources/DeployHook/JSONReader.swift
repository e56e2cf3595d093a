/// A strict reader of JSON texts (RFC 8259), without recursion: the containers still open are kept on an
/// explicit stack, so a hostile answer can exhaust neither the stack of a small thread (64 KiB is plenty)
/// nor, with the depth limit, much else.
///
/// What it accepts is exactly RFC 8259's grammar, in UTF-8 (§8.1):
/// - any value at the top (the envelope then asks for an object), with only whitespace (space, tab, LF, CR)
///   around it: no trailing garbage, no comments, no trailing commas, no single quotes;
/// - numbers `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`: no leading zeros, no `+`, no bare `.`,
///   no `NaN` or `Infinity`, no hexadecimal;
/// - strings of UTF-8 (well-formed: no overlong forms, no encoded surrogates, nothing above U+10FFFF) with
///   no unescaped control character (U+0000 to U+001F), and only the escapes `\" \\ \/ \b \f \n \r \t \uXXXX`;
/// - `true`, `false`, `null`, in lower case.
///
/// Choices where RFC 8259 leaves room:
/// - one leading UTF-8 byte order mark is ignored (§8.1 allows it; JSONDecoder did the same); a second one,
///   or one after whitespace, is an error. UTF-16 and UTF-32 texts are refused.
/// - a `\u` escape of a lone surrogate (a high one not followed by a `\u` low one, or a low one alone) is
///   valid grammar (§7, §8.2) and is read as U+FFFD, the replacement character, once per lone escape.
/// - duplicate names in an object are kept; ``JSONValue``'s lookup returns the first (as JSONDecoder did).
/// - arrays and objects nested deeper than `maxDepth` make the whole text an error.
/// - numbers are checked here and converted only when asked for (``JSONValue/number``).
enum JSONReader {
    /// The document `bytes` hold, or nil when they are not exactly one JSON text nested at most `maxDepth` deep.
    static func read(_ bytes: [UInt8], maxDepth: Int) -> JSONDocument? {
        let nodes: [JSONDocument.Node]? = bytes.withUnsafeBufferPointer { text in
            var parser = Parser(text: text, maxDepth: maxDepth)
            return parser.run() ? parser.nodes : nil
        }
        return nodes.map { JSONDocument(bytes: bytes, nodes: $0) }
    }
}

/// One pass over the text: a loop that reads a value, then closes the containers that end after it, until
/// a comma asks for the next value or the top-level value is complete.
private struct Parser {
    typealias Node = JSONDocument.Node

    let text: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var position = 0
    var nodes: [Node] = []
    /// The indices (in `nodes`) of the arrays and objects not yet closed, innermost last.
    var open: [Int] = []

    init(text: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.text = text
        self.maxDepth = maxDepth
        nodes.reserveCapacity(16)
        open.reserveCapacity(min(maxDepth, 16))
    }

    /// True when the whole text is one JSON value.
    mutating func run() -> Bool {
        if text.count >= 3, text[0] == 0xEF, text[1] == 0xBB, text[2] == 0xBF { position = 3 }
        while true {
            // A value is expected.
            skipWhitespace()
            guard position < text.count else { return false }
            switch text[position] {
            case .openBrace, .openBracket:
                let isObject = text[position] == .openBrace
                guard open.count < maxDepth else { return false }
                open.append(nodes.count)
                nodes.append(Node(kind: isObject ? .object : .array, start: position, end: 0))
                position += 1
                skipWhitespace()
                if position < text.count, text[position] == (isObject ? .closeBrace : .closeBracket) {
                    position += 1
                    close()
                } else if isObject {
                    guard readName() else { return false }
                    continue
                } else {
                    continue
                }
            case .quote:
                guard readString() else { return false }
            case .minus, .digitZero ... .digitNine:
                guard readNumber() else { return false }
            case .lowerT:
                guard readLiteral("true", .true) else { return false }
            case .lowerF:
                guard readLiteral("false", .false) else { return false }
            case .lowerN:
                guard readLiteral("null", .null) else { return false }
            default:
                return false
            }
            // A value ended: close what ends after it; a comma asks for the next value.
            while true {
                skipWhitespace()
                guard let container = open.last else { return position == text.count }
                guard position < text.count else { return false }
                let byte = text[position]
                position += 1
                let isObject = nodes[container].kind == .object
                if byte == .comma {
                    if isObject { guard readName() else { return false } }
                    break
                }
                guard byte == (isObject ? .closeBrace : .closeBracket) else { return false }
                close()
            }
        }
    }

    /// Ends the innermost open container: its `end` is the index of the node after its contents.
    private mutating func close() {
        nodes[open.removeLast()].end = nodes.count
    }

    private mutating func skipWhitespace() {
        while position < text.count {
            switch text[position] {
            case .space, .tab, .lineFeed, .carriageReturn: position += 1
            default: return
            }
        }
    }

    /// A member's name and its colon.
    private mutating func readName() -> Bool {
        skipWhitespace()
        guard position < text.count, text[position] == .quote, readString() else { return false }
        skipWhitespace()
        guard position < text.count, text[position] == .colon else { return false }
        position += 1
        return true
    }

    /// A string, its opening quote at `position`; its node spans the bytes between the quotes.
    private mutating func readString() -> Bool {
        let text = text  // a local copy: the loop then keeps it in registers
        let start = position + 1
        var index = start
        var escaped = false
        while index < text.count {
            let byte = text[index]
            if byte >= 0x20, byte < 0x80, byte != .quote, byte != .backslash {
                index += 1  // the common case first
            } else if byte == .quote {
                nodes.append(Node(kind: .string, start: start, end: index, escaped: escaped))
                position = index + 1
                return true
            } else if byte == .backslash {
                escaped = true
                guard index + 1 < text.count else { return false }
                switch text[index + 1] {
                case .quote, .backslash, .slash, .lowerB, .lowerF, .lowerN, .lowerR, .lowerT:
                    index += 2
                case .lowerU:
                    guard index + 5 < text.count, JSONDocument.hexValue(text, at: index + 2) != nil else { return false }
                    index += 6
                default:
                    return false
                }
            } else if byte < 0x20 {
                return false
            } else {
                guard let length = wellFormedUTF8Length(at: index) else { return false }
                index += length
            }
        }
        return false
    }

    /// The length of the well-formed UTF-8 sequence of two to four bytes at `index` (Unicode's table 3-7),
    /// or nil.
    private func wellFormedUTF8Length(at index: Int) -> Int? {
        let lead = text[index]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80 ... 0xBF
        switch lead {
        case 0xC2 ... 0xDF: length = 2
        case 0xE0: length = 3; second = 0xA0 ... 0xBF
        case 0xE1 ... 0xEC, 0xEE ... 0xEF: length = 3
        case 0xED: length = 3; second = 0x80 ... 0x9F
        case 0xF0: length = 4; second = 0x90 ... 0xBF
        case 0xF1 ... 0xF3: length = 4
        case 0xF4: length = 4; second = 0x80 ... 0x8F
        default: return nil
        }
        guard index + length <= text.count, second.contains(text[index + 1]) else { return nil }
        for offset in 2 ..< length where !(0x80 ... 0xBF).contains(text[index + offset]) { return nil }
        return length
    }

    private func isDigit(_ index: Int) -> Bool {
        index < text.count && (UInt8.digitZero ... .digitNine).contains(text[index])
    }

    /// A number: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`. What follows is checked by the caller
    /// (only whitespace, `,`, `]`, `}` or the end may), which is what refuses `01` and `1x`.
    private mutating func readNumber() -> Bool {
        let start = position
        var index = position
        if text[index] == .minus { index += 1 }
        guard isDigit(index) else { return false }
        if text[index] == .digitZero {
            index += 1
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < text.count, text[index] == .dot {
            index += 1
            guard isDigit(index) else { return false }
            while isDigit(index) { index += 1 }
        }
        if index < text.count, text[index] == .lowerE || text[index] == .upperE {
            index += 1
            if index < text.count, text[index] == .plus || text[index] == .minus { index += 1 }
            guard isDigit(index) else { return false }
            while isDigit(index) { index += 1 }
        }
        nodes.append(Node(kind: .number, start: start, end: index))
        position = index
        return true
    }

    /// `true`, `false` or `null`.
    private mutating func readLiteral(_ word: StaticString, _ kind: JSONDocument.Kind) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= text.count else { return false }
        for offset in 0 ..< count where text[position + offset] != word.utf8Start[offset] { return false }
        nodes.append(Node(kind: kind, start: position, end: position + count))
        position += count
        return true
    }
}

extension UInt8 {
    static let tab = UInt8(ascii: "\t"), lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " "), quote = UInt8(ascii: "\""), plus = UInt8(ascii: "+"), comma = UInt8(ascii: ",")
    static let minus = UInt8(ascii: "-"), dot = UInt8(ascii: "."), slash = UInt8(ascii: "/"), colon = UInt8(ascii: ":")
    static let digitZero = UInt8(ascii: "0"), digitNine = UInt8(ascii: "9"), upperE = UInt8(ascii: "E")
    static let openBracket = UInt8(ascii: "["), backslash = UInt8(ascii: "\\"), closeBracket = UInt8(ascii: "]")
    static let lowerB = UInt8(ascii: "b"), lowerE = UInt8(ascii: "e"), lowerF = UInt8(ascii: "f")
    static let lowerN = UInt8(ascii: "n"), lowerR = UInt8(ascii: "r"), lowerT = UInt8(ascii: "t")
    static let lowerU = UInt8(ascii: "u"), openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
}
