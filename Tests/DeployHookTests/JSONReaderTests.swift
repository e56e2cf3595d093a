@testable import DeployHook
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A document as bytes: `%XX` stands for the byte 0xXX (for BOMs, control characters and broken UTF-8);
/// everything else is the text's UTF-8.
private func bytes(_ text: String) -> [UInt8] {
    let utf8 = Array(text.utf8)
    var out: [UInt8] = []
    var index = 0
    while index < utf8.count {
        if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
           let byte = UInt8(String(decoding: utf8[index + 1 ... index + 2], as: UTF8.self), radix: 16) {
            out.append(byte)
            index += 3
        } else {
            out.append(utf8[index])
            index += 1
        }
    }
    return out
}

/// A string quoted, every scalar outside printable ASCII as `\u{HEX}` (and `\"`, `\\`, `\n`, `\r`, `\t`).
private func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case " " ... "~": out.unicodeScalars.append(scalar)
        default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }
    return out + "\""
}

/// A value written back compactly (test-only, recursive): strings ``quoted(_:)``, numbers as the Double
/// they read as (`nil` when too large), members in order with duplicates.
private func canonical(_ value: JSONValue) -> String {
    switch value.kind {
    case .object:
        return "{" + value.members!.map { "\(quoted($0.name)):\(canonical($0.value))" }.joined(separator: ",") + "}"
    case .array:
        return "[" + value.elements!.map(canonical).joined(separator: ",") + "]"
    case .string: return quoted(value.string!)
    case .number: return value.number.map { "\($0)" } ?? "nil"
    case .true: return "true"
    case .false: return "false"
    case .null: return "null"
    }
}

private func nested(_ depth: Int, _ inner: String = "") -> String {
    String(repeating: "[", count: depth) + inner + String(repeating: "]", count: depth)
}

@Suite("JSON reader: RFC 8259, strictly")
struct JSONReaderTests {
    /// Valid texts and what they read as.
    @Test("valid documents", arguments: [
        ("{}", "{}"),
        ("[]", "[]"),
        ("0", "0.0"),
        ("-0", "-0.0"),
        ("7", "7.0"),
        ("-12", "-12.0"),
        ("1.5e10", "15000000000.0"),
        ("-1.25E-3", "-0.00125"),
        ("1E+2", "100.0"),
        ("1e-2", "0.01"),
        ("0.5", "0.5"),
        ("-0.0e0", "-0.0"),
        ("123456789012345678901234567890", "1.2345678901234568e+29"),
        ("1e400", "nil"),  // valid grammar; too large for a Double, so no number
        ("1e-400", "0.0"),
        (#""""#, #""""#),
        (#""a""#, #""a""#),
        ("true", "true"),
        ("false", "false"),
        ("null", "null"),
        (" \t\n\r{} \t\n\r", "{}"),
        ("%EF%BB%BF{}", "{}"),  // one byte order mark, ignored (RFC 8259 §8.1 allows it)
        ("%EF%BB%BF {\"a\":1}", #"{"a":1.0}"#),
        (#"{"a":1}"#, #"{"a":1.0}"#),
        (#" { "a" : [ 1 , 2 ] , "b" : { } } "#, #"{"a":[1.0,2.0],"b":{}}"#),
        (#"[1,"a",true,false,null,{},[]]"#, #"[1.0,"a",true,false,null,{},[]]"#),
        (#"[[],[[]],{"":{"":[]}}]"#, #"[[],[[]],{"":{"":[]}}]"#),
        (#"{"":""}"#, #"{"":""}"#),
        (#"{"a":1,"a":2}"#, #"{"a":1.0,"a":2.0}"#),  // duplicates kept; lookups take the first
        (#""\" \\ \/ \b \f \n \r \t""#, #""\" \\ / \u{8} \u{C} \n \r \t""#),
        (#""\u0041\u00e9\u20AC""#, #""A\u{E9}\u{20AC}""#),
        (#""\u0000""#, #""\u{0}""#),
        (#""\u001F\u007f""#, #""\u{1F}\u{7F}""#),
        (#""\ud83d\ude00""#, #""\u{1F600}""#),  // a surrogate pair
        (#""\uD83D\uDE00\uDBFF\uDFFF""#, #""\u{1F600}\u{10FFFF}""#),
        (#""\ud800""#, #""\u{FFFD}""#),  // lone surrogates: one U+FFFD each
        (#""\udc00""#, #""\u{FFFD}""#),
        (#""\ud800x""#, #""\u{FFFD}x""#),
        (#""\ud800\u0041""#, #""\u{FFFD}A""#),
        (#""\ud800\ud800\udc00""#, #""\u{FFFD}\u{10000}""#),
        (#""\udc00\ud800""#, #""\u{FFFD}\u{FFFD}""#),
        (#""\ud800\n""#, #""\u{FFFD}\n""#),
        ("\"café € 😀\"", #""caf\u{E9} \u{20AC} \u{1F600}""#),
        ("\"del%7F\"", #""del\u{7F}""#),
        ("\"%C2%80%DF%BF\"", #""\u{80}\u{7FF}""#),  // the first and last two-byte forms
        ("\"%E0%A0%80%ED%9F%BF%EE%80%80%EF%BF%BF\"", #""\u{800}\u{D7FF}\u{E000}\u{FFFF}""#),
        ("\"%F0%90%80%80%F4%8F%BF%BF\"", #""\u{10000}\u{10FFFF}""#),
        (#"{"a\u0000b":1,"\u0061":2}"#, #"{"a\u{0}b":1.0,"a":2.0}"#),
        (#"{"a":"[{\"}]"}"#, #"{"a":"[{\"}]"}"#),
        (nested(16), nested(16)),
    ])
    func valid(text: String, reads: String) throws {
        let document = try #require(JSONReader.read(bytes(text), maxDepth: 16), "refused: \(text)")
        #expect(canonical(document.root) == reads)
    }

    /// Texts that are not exactly one JSON text (or nested deeper than 16).
    @Test("invalid documents", arguments: [
        "", " ", "%EF%BB%BF", "{", "}", "[", "]", "{]", "[}", "{}}", "[]]", "{} {}", "1 2", "[] x", "{}x", "{},",
        #"{"a"}"#, #"{"a":}"#, #"{"a" 1}"#, "{1:2}", "{'a':1}", "{a:1}", "['a']", #"{"a":1 "b":2}"#, "{,}", #"{"a":1,,"b":2}"#,
        #"{"a":1,}"#, "[1,]", "[,1]", "[1,,2]", "[1 2]", #"{"a":[1,2,]}"#, #"{"a":1}}"#, #"{"a":"x"]"#, "[{]}",
        "01", "-01", "00", "1.", ".5", "+1", "-", "--1", "1e", "1e+", "1E-", "1.e3", "1.5.2", "0x10", "1_000", "١",
        "NaN", "Infinity", "-Infinity", "nan", "inf", "[NaN]", #"{"a":Infinity}"#,
        "True", "FALSE", "Null", "nul", "tru", "truex", "nulll", "[true false]", "undefined",
        #""abc"#, #"""#, #""\""#, #""\x41""#, #""\a""#, #""\'""#, #""\U0041""#, #""\u12""#, #""\u12G4""#, #""\u""#, #""\ ""#,
        "\"tab\there\"", "\"new\nline\"", "\"nul%00\"", "\"%1F\"", "\"cr\rx\"",
        "{} // comment", "/* c */ {}", #"{"a":1 /* c */}"#, "# c\n{}", "[1] <!-- -->",
        "{}%00", "%00{}", "%0C{}", "{%0C}", "%0B{}", "%C2%A0{}", "{}%C2%A0", "%E2%80%A8{}",
        "%EF%BB%BF%EF%BB%BF{}", " %EF%BB%BF{}", "%EF%BB{}",
        "{%00}%00", "%00{%00}", "%FF%FE{%00}%00", "%FE%FF%00{%00}", "{%00%00%00}%00%00%00",
        "\"%FF\"", "\"%80\"", "\"%C3\"", "\"%C3x\"", "\"%C0%AF\"", "\"%C1%BF\"", "\"%E0%80%AF\"", "\"%E0%9F%BF\"",
        "\"%ED%A0%80\"", "\"%ED%BF%BF\"", "\"%F0%80%80%80\"", "\"%F0%8F%BF%BF\"", "\"%F4%90%80%80\"", "\"%F5%80%80%80\"",
        "\"%F8%88%80%80%80\"", "\"%E2%82\"", "\"%F0%9F%98\"", "\"%F0%9F%98x\"",
        nested(17), #"{"a":"# + nested(16) + "}", nested(100_000), nested(15, "{\"a\":{}}"),
    ])
    func invalid(text: String) {
        #expect(JSONReader.read(bytes(text), maxDepth: 16) == nil, "accepted: \(text.debugDescription)")
    }

    @Test func theFirstOfDuplicateNamesWins() throws {
        let document = try #require(JSONReader.read(bytes(#"{"a":1,"a":"two","\u0061":3,"b":[],"b":null}"#), maxDepth: 16))
        #expect(document.root["a"]?.number == 1)
        #expect(document.root["b"]?.isArray == true)
        let escapedFirst = try #require(JSONReader.read(bytes(#"{"\u0061":"first","a":"second"}"#), maxDepth: 16))
        #expect(escapedFirst.root["a"]?.string == "first")
    }

    @Test func accessorsReadOtherTypesAsAbsent() throws {
        let document = try #require(JSONReader.read(bytes(#"{"s":"x","n":1,"t":true,"z":null,"a":[1],"o":{"k":2}}"#), maxDepth: 16))
        let root = document.root
        #expect(root["s"]?.string == "x" && root["s"]?.number == nil && root["s"]?.bool == nil)
        #expect(root["n"]?.number == 1 && root["n"]?.string == nil)
        #expect(root["t"]?.bool == true && root["t"]?.number == nil)
        #expect(root["z"]?.kind == .null && root["z"]?.string == nil && root["z"]?.elements == nil)
        #expect(root["a"]?.elements?.count == 1 && root["a"]?["k"] == nil)
        #expect(root["o"]?["k"]?.number == 2 && root["o"]?.elements == nil)
        #expect(root["missing"] == nil && root["n"]?["k"] == nil && !root.contains("S"))
        #expect(root.contains("z"))
    }

    @Test func depthIsCountedInArraysAndObjectsAlike() {
        let objects = String(repeating: #"{"a":"#, count: 15) + "{}" + String(repeating: "}", count: 15)
        #expect(JSONReader.read(bytes(objects), maxDepth: 16) != nil)
        #expect(JSONReader.read(bytes(objects), maxDepth: 15) == nil)
        #expect(JSONReader.read(bytes("[{\"a\":[]}]"), maxDepth: 3) != nil)
        #expect(JSONReader.read(bytes("[{\"a\":[]}]"), maxDepth: 2) == nil)
        #expect(JSONReader.read(bytes("1"), maxDepth: 0) != nil)
        #expect(JSONReader.read(bytes("[]"), maxDepth: 0) == nil)
    }

    @Test func everyEscapableCharacterRoundTrips() throws {
        // U+0000 to U+FFFF but the surrogates, each as a \u escape, and the pairs of a few astral characters.
        var text = "\""
        var expected = ""
        for value in 0 ... 0xFFFF where !(0xD800 ... 0xDFFF).contains(value) {
            text += "\\u" + hex4(value)
            expected.unicodeScalars.append(Unicode.Scalar(value)!)
        }
        for scalar in ["\u{10000}", "\u{1F600}", "\u{10FFFF}"] as [Unicode.Scalar] {
            for unit in String(scalar).utf16 { text += "\\u" + hex4(Int(unit)) }
            expected.unicodeScalars.append(scalar)
        }
        text += "\""
        let document = try #require(JSONReader.read(Array(text.utf8), maxDepth: 16))
        #expect(document.root.string == expected)
    }
}

/// Four hex digits.
private func hex4(_ value: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

/// Runs `work` on a thread whose stack is `stackBytes`, and waits for it.
private func onThread(stackBytes: Int, _ work: @escaping () -> Void) -> Bool {
    final class Box { let work: () -> Void; init(_ work: @escaping () -> Void) { self.work = work } }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    guard pthread_attr_setstacksize(&attributes, stackBytes) == 0 else { return false }
    let context = Unmanaged.passRetained(Box(work)).toOpaque()
    #if canImport(Darwin)
    var thread: pthread_t?
    #else
    var thread = pthread_t()
    #endif
    let started = pthread_create(&thread, &attributes, { context in
        #if canImport(Darwin)
        Unmanaged<Box>.fromOpaque(context).takeRetainedValue().work()
        #else
        Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().work()
        #endif
        return nil
    }, context)
    guard started == 0 else { Unmanaged<Box>.fromOpaque(context).release(); return false }
    #if canImport(Darwin)
    return pthread_join(thread!, nil) == 0
    #else
    return pthread_join(thread, nil) == 0
    #endif
}

@Suite("JSON reader on a small stack")
struct JSONSmallStackTests {
    @Test func aThreadWith64KiBOfStackReadsAnythingWithoutOverflowing() {
        let deep = Array(nested(200_000).utf8)
        let deepObjects = Array((String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)).utf8)
        let full = DecodeBenchmark.fullBuild
        let results = ResultBox()
        let ran = onThread(stackBytes: 64 << 10) {
            results.refusedDeep = JSONReader.read(deep, maxDepth: 16) == nil && JSONReader.read(deepObjects, maxDepth: 16) == nil
            // No limit worth the name: still no recursion, in reading or in freeing the document.
            results.readVeryDeep = JSONReader.read(deep, maxDepth: 1_000_000)?.nodes.count == 200_000
            results.readFull = Envelope<BuildFields>.decode(full)?.result?.details.source.triggerName == "Deploy default branch"
        }
        #expect(ran)
        #expect(results.refusedDeep && results.readVeryDeep && results.readFull)
    }

    private final class ResultBox: @unchecked Sendable {
        var refusedDeep = false, readVeryDeep = false, readFull = false
    }
}
