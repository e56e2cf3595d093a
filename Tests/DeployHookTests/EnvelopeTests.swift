@testable import DeployHook
import Testing

/// The envelope and result fields, read tolerantly from a strictly read text.
@Suite("Envelope and result fields")
struct EnvelopeTests {
    private func envelope(_ text: String) -> Envelope<TriggerFields>? { Envelope.decode(Array(text.utf8)) }

    @Test("error codes: an integer or a whole number the C ABI's int holds", arguments: [
        ("1", 1), ("-1", -1), ("-0", 0), ("1.0", 1), ("1e3", 1000), ("1E+3", 1000), ("10013.0", 10013),
        ("12000.0000000000001", 12000), ("2147483647", 2_147_483_647), ("2147483647.0", 2_147_483_647),
        ("-2147483648", -2_147_483_648), ("1e-400", 0),
        ("1.5", nil), ("2147483648", nil), ("-2147483649", nil), ("4294967296", nil), ("9223372036854775808", nil),
        ("1e400", nil), (#""12""#, nil), ("true", nil), ("null", nil), ("[1]", nil), (#"{"code":1}"#, nil),
    ] as [(String, Int?)])
    func codes(json: String, code: Int?) throws {
        let read = try #require(envelope(#"{"errors":[{"code":\#(json),"message":"m"}]}"#))
        #expect(read.errors == [.init(code: code, message: "m")])
    }

    @Test func errorsMustBeAListOfObjects() throws {
        #expect(try #require(envelope(#"{"errors":[{"code":1},{"message":"b"},{}]}"#)).errors.map(\.code) == [1, nil, nil])
        for errors in [#"[{"code":1},null]"#, #"[{"code":1},5]"#, #"[{"code":1},[]]"#, #"{"code":1}"#, #""x""#, "null"] {
            let read = try #require(envelope(#"{"success":false,"errors":\#(errors)}"#))
            #expect(read.errors.isEmpty, "errors \(errors)")
            #expect(read.isCloudflareEnvelope)
        }
    }

    @Test("what makes an envelope Cloudflare's", arguments: [
        (#"{"success":null}"#, true), (#"{"errors":null}"#, true), (#"{"success":"yes"}"#, true), (#"{"errors":[]}"#, true),
        (#"{"result":{}}"#, false), (#"{"messages":[]}"#, false), (#"{"Success":true}"#, false), (#"{"succ\u0065ss":true}"#, true),
    ])
    func cloudflareEnvelope(text: String, isCloudflare: Bool) throws {
        #expect(try #require(envelope(text)).isCloudflareEnvelope == isCloudflare)
    }

    @Test func fieldsOfTheWrongTypeReadAsAbsent() throws {
        let read = try #require(envelope(#"{"success":"true","result":{"build_uuid":7,"status":["queued"],"already_exists":1,"created_on":null,"branch":{},"worker":false}}"#))
        #expect(read.success == nil)
        #expect(read.result?.build == Build())
        #expect(try #require(envelope(#"{"success":true,"result":[{"status":"queued"}]}"#)).result == nil)
        #expect(try #require(envelope(#"{"success":true,"result":"queued"}"#)).result == nil)
    }

    @Test func theFirstOfDuplicateFieldsWinsWhateverItsType() throws {
        #expect(try #require(envelope(#"{"success":true,"success":false}"#)).success == true)
        #expect(try #require(envelope(#"{"success":false,"success":true}"#)).success == false)
        #expect(try #require(envelope(#"{"result":{"status":5,"status":"running"}}"#)).result?.build.status == .unknown)
        #expect(try #require(envelope(#"{"result":1,"result":{"status":"running"}}"#)).result == nil)
        #expect(try #require(envelope(#"{"errors":[{"code":1}],"errors":[{"code":2}]}"#)).errors.first?.code == 1)
    }

    @Test func aBuildAnswerWithEveryField() throws {
        let read = try #require(Envelope<BuildFields>.decode(DecodeBenchmark.fullBuild)?.result?.details)
        var expected = BuildDetails(buildUUID: "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e", status: .stopped, outcome: .success,
                                    createdOn: "2019-12-27T18:11:19.117Z", initializingOn: "2019-12-27T18:11:20.117Z",
                                    runningOn: "2019-12-27T18:11:21.117Z", stoppedOn: "2019-12-27T18:11:51.117Z",
                                    previewURL: "https://1a2b3c4d-my-worker.my-subdomain.workers.dev")
        expected.modifiedOn = "2019-12-27T18:11:51.117Z"
        expected.source = BuildSource(branch: "main", commitHash: "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
                                      commitMessage: "Fix the café menu\n\nAnd its prices", author: "ada@example.com",
                                      triggerSource: "deploy_hook", deployHookName: "Production deploy hook",
                                      triggerName: "Deploy default branch")
        #expect(read == expected)
    }

    @Test func aBuildAnswerWithOddParts() throws {
        let body = #"{"success":true,"result":{"build_outcome":"weird","build_trigger_metadata":[],"deploy_hook":"x","trigger":null}}"#
        let read = try #require(Envelope<BuildFields>.decode(Array(body.utf8))?.result?.details)
        #expect(read.buildUUID == "" && read.status == .unknown && read.outcome == .unknown && read.source == BuildSource())
    }

    @Test func logLines() throws {
        func page(_ result: String) throws -> BuildLogPage {
            try #require(Envelope<LogFields>.decode(Array(#"{"success":true,"result":\#(result)}"#.utf8))?.result?.page)
        }
        let read = try page(#"{"cursor":"c1","truncated":true,"lines":[[1700000000,"a"],[1700000000500,"b"],[1.5,"c",3],["x","d"],[1],[null,"e"],[1,null],[],[true,"f"],[1,2,"g"],[1e400,"h"]]}"#)
        #expect(read == BuildLogPage(cursor: "c1", lines: [BuildLogLine(timestamp: 1_700_000_000, message: "a"),
                                                           BuildLogLine(timestamp: 1_700_000_000.5, message: "b"),
                                                           BuildLogLine(timestamp: 1.5, message: "c")], truncated: true))
        // A list with an entry that is no list at all reads as no lines, as before.
        for lines in [#"[[1,"a"],null]"#, #"[[1,"a"],5]"#, #"[[1,"a"],{"a":1}]"#, #""none""#, "null"] {
            #expect(try page(#"{"lines":\#(lines),"truncated":"yes","cursor":5}"#) == BuildLogPage(cursor: nil, lines: [], truncated: false))
        }
    }

    @Test("texts that are not exactly JSON are refused, also where JSONDecoder let them through", arguments: [
        #"{"success":true,}"#, #"{"errors":[{"code":1,},]}"#, #"{"errors":[{"code":01}]}"#, #"{"errors":[{"code":1.}]}"#,
        #"{"errors":[{"message":"\a"}]}"#, "{\"errors\":[{\"message\":\"tab\there\"}]}",
        "{\u{0}}\u{0}",  // UTF-16 (RFC 8259 §8.1: UTF-8 only)
        "\u{FEFF}\u{FEFF}{}", " \u{FEFF}{}", #"{"a":1} x"#, "[1,2]", #""str""#, "",
    ])
    func refused(text: String) {
        #expect(envelope(text) == nil)
    }

    @Test func aByteOrderMarkIsIgnoredAndALoneSurrogateEscapeIsReplaced() throws {
        #expect(try #require(envelope("\u{FEFF}{\"success\":true}")).success == true)
        let read = try #require(envelope(#"{"success":false,"errors":[{"code":1,"message":"bad \ud800 here"}]}"#))
        #expect(read.errors == [.init(code: 1, message: "bad \u{FFFD} here")])
    }
}

extension Envelope.APIError {
    init(code: Int?, message: String?) {
        self.init(json: JSONReader.read(Array("{}".utf8), maxDepth: 1)!.root)
        self.code = code
        self.message = message
    }
}
