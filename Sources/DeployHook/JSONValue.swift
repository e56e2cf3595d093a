#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON text that ``JSONReader`` accepted: its bytes and a flat list of its values in document order,
/// an object's members as a name (a string node) followed by its value. Flat, so that neither reading nor
/// freeing a document recurses; strings and numbers are converted only when asked for. A class, so that
/// the values that point into it share it.
final class JSONDocument: Sendable {
    enum Kind: UInt8, Sendable {
        case object, array, string, number, `true`, `false`, null
    }

    struct Node: Sendable {
        var kind: Kind
        /// Strings and numbers: where their text starts (a string's after its opening quote).
        var start: Int
        /// Strings and numbers: where their text ends (a string's at its closing quote). Arrays and objects:
        /// the index of the first node after their contents.
        var end: Int
        /// Strings: true when the text holds a backslash escape.
        var escaped = false
    }

    let bytes: [UInt8]
    let nodes: [Node]

    init(bytes: [UInt8], nodes: [Node]) {
        self.bytes = bytes
        self.nodes = nodes
    }

    /// The top-level value.
    var root: JSONValue { JSONValue(document: self, index: 0) }

    /// The index of the node after the value at `index` and everything inside it.
    func next(after index: Int) -> Int {
        switch nodes[index].kind {
        case .object, .array: nodes[index].end
        default: index + 1
        }
    }

    /// The index of the value of the first member of the object at `index` called `name`, or nil.
    func member(of index: Int, named name: String) -> Int? {
        var name = name
        return name.withUTF8 { name in
            bytes.withUnsafeBufferPointer { bytes in
                nodes.withUnsafeBufferPointer { nodes in
                    var member = index + 1
                    while member < nodes[index].end {
                        let key = nodes[member]
                        if key.escaped {
                            if string(at: member).utf8.elementsEqual(name) { return member + 1 }
                        } else if key.end - key.start == name.count,
                                  name.isEmpty || memcmp(bytes.baseAddress! + key.start, name.baseAddress!, name.count) == 0 {
                            return member + 1
                        }
                        let value = member + 1  // then past the value, as next(after:) does
                        member = nodes[value].kind == .object || nodes[value].kind == .array ? nodes[value].end : value + 1
                    }
                    return nil
                }
            }
        }
    }

    /// The text of the string node at `index`, escapes decoded (a lone surrogate escape as U+FFFD).
    func string(at index: Int) -> String {
        let node = nodes[index]
        return bytes.withUnsafeBufferPointer { buffer in
            let raw = UnsafeBufferPointer(rebasing: buffer[node.start ..< node.end])
            guard node.escaped else { return String(decoding: raw, as: UTF8.self) }
            var text: [UInt8] = []
            text.reserveCapacity(raw.count)
            var index = 0
            while index < raw.count {
                let byte = raw[index]
                guard byte == .backslash else {
                    text.append(byte)
                    index += 1
                    continue
                }
                let escape = raw[index + 1]
                index += 2
                switch escape {
                case .lowerB: text.append(0x08)
                case .lowerF: text.append(0x0C)
                case .lowerN: text.append(.lineFeed)
                case .lowerR: text.append(.carriageReturn)
                case .lowerT: text.append(.tab)
                case .lowerU:
                    var scalar = Self.hexValue(raw, at: index) ?? 0xFFFD
                    index += 4
                    if (0xD800 ... 0xDBFF).contains(scalar) {
                        if index + 6 <= raw.count, raw[index] == .backslash, raw[index + 1] == .lowerU,
                           let low = Self.hexValue(raw, at: index + 2), (0xDC00 ... 0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            index += 6
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if (0xDC00 ... 0xDFFF).contains(scalar) {
                        scalar = 0xFFFD
                    }
                    Unicode.UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { text.append($0) }
                default: text.append(escape)  // " \ /
                }
            }
            return String(decoding: text, as: UTF8.self)
        }
    }

    /// The value of the four hex digits at `index`, or nil.
    static func hexValue(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32? {
        guard index + 4 <= text.count else { return nil }
        var value: UInt32 = 0
        for byte in text[index ..< index + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}

/// One value of a ``JSONDocument``, read tolerantly: each accessor answers nil when the value is of
/// another type, so a field of the wrong type reads as absent.
struct JSONValue: Sendable {
    let document: JSONDocument
    let index: Int

    var kind: JSONDocument.Kind { document.nodes[index].kind }
    var isObject: Bool { kind == .object }
    var isArray: Bool { kind == .array }

    /// The value of the first member called `name` (a later duplicate is ignored); nil when this is not an
    /// object or has no such member.
    subscript(name: String) -> JSONValue? {
        guard kind == .object else { return nil }
        return document.member(of: index, named: name).map { JSONValue(document: document, index: $0) }
    }

    /// True when this is an object with a member called `name`, whatever its value.
    func contains(_ name: String) -> Bool { self[name] != nil }

    /// The members of an object, in order, duplicates included; nil when this is not an object.
    var members: [(name: String, value: JSONValue)]? {
        guard kind == .object else { return nil }
        let end = document.nodes[index].end
        var members: [(name: String, value: JSONValue)] = []
        var member = index + 1
        while member < end {
            members.append((document.string(at: member), JSONValue(document: document, index: member + 1)))
            member = document.next(after: member + 1)
        }
        return members
    }

    /// The elements of an array, in order; nil when this is not an array.
    var elements: [JSONValue]? {
        guard kind == .array else { return nil }
        let end = document.nodes[index].end
        var values: [JSONValue] = []
        var element = index + 1
        while element < end {
            values.append(JSONValue(document: document, index: element))
            element = document.next(after: element)
        }
        return values
    }

    /// A string's text.
    var string: String? { kind == .string ? document.string(at: index) : nil }

    /// `true` or `false`.
    var bool: Bool? {
        switch kind {
        case .true: true
        case .false: false
        default: nil
        }
    }

    /// A number as the nearest Double; nil when it is not a number or too large for a Double (a number too
    /// small reads as zero).
    var number: Double? {
        guard kind == .number else { return nil }
        let node = document.nodes[index]
        let value = document.bytes.withUnsafeBufferPointer { buffer in
            Double(String(decoding: UnsafeBufferPointer(rebasing: buffer[node.start ..< node.end]), as: UTF8.self))
        }
        return value.flatMap { $0.isFinite ? $0 : nil }
    }
}
