@testable import DeployHook
import Testing

@Suite("Decoding and classifying answers")
struct ResponseTests {
    let hook = try! DeployHookID(parsing: Hooks.secret, apiBase: .cloudflare)

    func classify(_ status: Int, _ body: String, headers: [String: String] = [:]) -> Result<TriggerResult, DeployHookError> {
        ResponseClassifier.classify(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)), hook: hook)
    }

    @Test func apiReferenceShape() throws {
        let result = try classify(200, okBody, headers: ["cf-ray": "8c2f1a2b3c4d5e6f-SJC"]).get()
        #expect(result.build == Build(buildUUID: "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e", status: .running,
                                      alreadyExists: false, createdOn: "2019-12-27T18:11:19.117Z"))
        #expect(result.response.cfRay == "8c2f1a2b3c4d5e6f-SJC")
        #expect(result.response.statusCode == 200)
        #expect(result.response.bodyText == okBody)
    }

    @Test func guideShape() throws {
        let body = #"{"success":true,"result":{"build_uuid":"b1","branch":"main","worker":"w"}}"#
        let build = try classify(200, body).get().build
        #expect(build == Build(buildUUID: "b1", status: .unknown, alreadyExists: nil, createdOn: nil, branch: "main", worker: "w"))
    }

    @Test("tolerant decoding", arguments: [
        #"{}"#, #"{"success":true}"#, #"{"result":null}"#, #"{"result":{"status":"paused"}}"#,
        #"{"result":{"status":42,"already_exists":"yes","build_uuid":7}}"#, #"{"errors":"x","messages":{},"result":[]}"#,
    ])
    func tolerant(body: String) throws {
        let build = try classify(200, body).get().build
        #expect(build.status == .unknown)
        #expect(build.alreadyExists == nil)
    }

    @Test("every status word", arguments: BuildStatus.allCases.filter { $0 != .unknown })
    func statuses(status: BuildStatus) throws {
        #expect(try classify(200, #"{"result":{"status":"\#(status.rawValue)"}}"#).get().build.status == status)
    }

    @Test("error kinds", arguments: [
        (404, #"{"success":false,"errors":[{"code":12000,"message":"Not found"}],"messages":[],"result":null}"#, DeployHookError.Kind.notFound, 12000),
        (429, #"{"success":false,"errors":[{"code":12051,"message":"Rate limit exceeded"}],"messages":[],"result":null}"#, .rateLimited, 12051),
        (400, #"{"success":false,"errors":[{"code":12000,"message":"Not found"}]}"#, .notFound, 12000),
        (403, #"{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}"#, .api, 10000),
        (500, #"{"success":false,"errors":[{"code":10013.0}]}"#, .api, 10013),
        (200, #"{"success":false,"errors":[{"code":10001,"message":"nope"}]}"#, .api, 10001),
        (404, "<html>not here</html>", .notFound, 0),
        (429, "", .rateLimited, 0),
        (502, "<html>Bad gateway</html>", .http, 0),
        (500, "{}", .http, 0),
        (302, "", .http, 0),
        (200, #"{"success": true, "result": {"build_uuid": "18"#, .response, 0),
        (200, "[1,2]", .response, 0),
        (200, "\u{FF}\u{FE}", .response, 0),
    ])
    func errorKinds(status: Int, body: String, kind: DeployHookError.Kind, apiCode: Int) {
        guard case .failure(let error) = classify(status, body) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.kind == kind)
        #expect((error.apiCode ?? 0) == apiCode)
        #expect(error.response?.statusCode == status)
    }

    @Test func serverEchoOfTheHookIsScrubbedFromMessages() throws {
        let undashed = Hooks.secret.filter { $0 != "-" }
        let body = #"{"success":false,"errors":[{"code":10000,"message":"hook \#(Hooks.secret.uppercased()) or \#(undashed) disabled"}]}"#
        let client = try makeClient(ScriptedTransport([response(403, body, headers: ["cf-ray": "\(undashed)-SJC"])]))
        do {
            _ = try client.triggerBlocking(Hooks.secret)
            Issue.record("expected a failure")
        } catch {
            #expect(!error.message.lowercased().contains(Hooks.secret) && !error.message.lowercased().contains(undashed))
            #expect(error.message.contains("4f2a..."))
            #expect(error.response?.cfRay == "4f2a...-SJC")
        }
    }

    @Test func nonUTF8BodyInErrorIsNotACrash() {
        let bytes: [UInt8] = [0x7B, 0xFF, 0x7D]
        let outcome = ResponseClassifier.classify(HTTPResponse(status: 503, headers: [:], body: bytes), hook: hook)
        guard case .failure(let error) = outcome else { Issue.record("expected a failure"); return }
        #expect(error.kind == .http)
        #expect(error.response?.body == bytes)
    }
}

@Suite("Hostile bodies")
struct HostileBodyTests {
    let hook = try! DeployHookID(parsing: Hooks.secret, apiBase: .cloudflare)

    /// 100,000 levels of nesting, by where they sit.
    static func deeplyNested(_ shape: String) -> String {
        let depth = 100_000
        switch shape {
        case "arrays": return String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        case "objects": return String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        default: return #"{"success":true,"result":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        }
    }

    @Test func aCodeTheABICannotHoldIsNoCode() {
        let body = #"{"success":false,"errors":[{"code":2147483648,"message":"odd"}]}"#
        guard case .failure(let error) = ResponseClassifier.classify(HTTPResponse(status: 400, headers: [:], body: Array(body.utf8)), hook: hook) else { Issue.record("expected a failure"); return }
        #expect(error.apiCode == nil)
        #expect(!error.message.contains("2147483648"))
        guard case .failure(let fits) = ResponseClassifier.classify(HTTPResponse(status: 400, headers: [:], body: Array(#"{"success":false,"errors":[{"code":2147483647}]}"#.utf8)), hook: hook) else { return }
        #expect(fits.apiCode == 2_147_483_647)
    }

    @Test func nestingIsMeasuredWithoutRecursionUpToTheLimit() {
        func nested(_ depth: Int) -> [UInt8] { Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8) }
        #expect(JSONReader.read(nested(16), maxDepth: 16) != nil)
        #expect(JSONReader.read(nested(17), maxDepth: 16) == nil)
        #expect(JSONReader.read(Array(#"{"a":"[[[[[[\"{{{{{{"}"#.utf8), maxDepth: 1) != nil)  // brackets inside strings, escaped quotes
        #expect(JSONReader.read(nested(1_000_000), maxDepth: 2_000_000)?.nodes.count == 1_000_000)
        let deepResult = #"{"success":true,"result":{"build_uuid":"182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e","x":"# +
            String(repeating: "[", count: 15) + String(repeating: "]", count: 15) + "}}"
        #expect((try? ResponseClassifier.classify(HTTPResponse(status: 200, headers: [:], body: Array(deepResult.utf8)), hook: hook).get()) == nil)  // 17 levels: refused
    }

    @Test("deep nesting is refused, not a stack overflow", arguments: ["arrays", "objects", "inside result"])
    func deepNesting(shape: String) {
        let body = Array(Self.deeplyNested(shape).utf8)
        switch ResponseClassifier.classify(HTTPResponse(status: 200, headers: [:], body: body), hook: hook) {
        case .failure(let error): #expect(error.kind == .response)
        case .success(let result): #expect(shape == "inside result" && result.build == Build())
        }
    }
}

@Suite("Non-UTF-8 answers")
struct NonUTF8Tests {
    @Test func aSuccessfulAnswerThatIsNotUTF8IsAResponseError() throws {
        let hook = try DeployHookID(parsing: Hooks.secret, apiBase: .cloudflare)
        var body = Array(#"{"success":true,"messages":["caf"#.utf8)
        body += [0xE9, 0x20, 0xFF, 0xFE]
        body += Array(#""],"result":{"build_uuid":"b1"}}"#.utf8)
        guard case .failure(let error) = ResponseClassifier.classify(HTTPResponse(status: 200, headers: [:], body: body), hook: hook) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.kind == .response)
    }
}
