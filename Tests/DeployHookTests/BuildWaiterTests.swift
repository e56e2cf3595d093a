@testable import DeployHook
import Testing

@Suite("Following a build")
struct BuildWaiterTests {
    static let build = "5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
    static let token = "cf-test-token-0123456789abcdefSECRET"
    static let account = "0123456789abcdef0123456789abcdef"

    static func buildBody(_ status: String, outcome: String? = nil) -> Result<HTTPResponse, TransportFailure> {
        let outcomeJSON = outcome.map { "\"\($0)\"" } ?? "null"
        return response(200, #"{"success":true,"errors":[],"result":{"build_uuid":"\#(build)","status":"\#(status)","build_outcome":\#(outcomeJSON),"preview_url":null}}"#)
    }

    static func logsBody(_ cursor: String, _ lines: [String], truncated: Bool = false) -> Result<HTTPResponse, TransportFailure> {
        let pairs = lines.map { #"[1700000000.5,"\#($0)"]"# }.joined(separator: ",")
        return response(200, #"{"success":true,"result":{"cursor":"\#(cursor)","lines":[\#(pairs)],"truncated":\#(truncated)}}"#)
    }

    func client(_ transport: ScriptedTransport, _ timing: VirtualTiming, waitTimeout: Duration = .seconds(1500)) throws -> DeployHookClient {
        var configuration = Configuration()
        try configuration.setWaitTimeout(waitTimeout)
        return DeployHookClient(configuration: configuration, transport: transport, timing: timing, environment: {
            ["CLOUDFLARE_API_TOKEN": Self.token, "CLOUDFLARE_ACCOUNT_ID": Self.account][$0]
        })
    }

    @Test func pollsUntilStoppedReportingEachChange() throws {
        let transport = ScriptedTransport([Self.buildBody("queued"), Self.buildBody("running"), Self.buildBody("running"),
                                           Self.buildBody("stopped", outcome: "success")])
        let timing = VirtualTiming()
        var events: [BuildStatus] = []
        let details = try client(transport, timing).waitBlocking(forBuild: Self.build) { event in
            if case .status(let details) = event { events.append(details.status) }
        }
        #expect(details.outcome == .success)
        #expect(events == [.queued, .running, .stopped])
        #expect(timing.sleeps == [.seconds(2), .seconds(3), .milliseconds(4500)])
        let request = try #require(transport.requests.first)
        #expect(request.method == .get)
        #expect(request.url == "https://api.cloudflare.com/client/v4/accounts/\(Self.account)/builds/builds/\(Self.build)")
        #expect(request.headers.contains("Authorization: Bearer \(Self.token)"))
    }

    @Test func gapsGrowToFifteenSeconds() throws {
        let transport = ScriptedTransport(Array(repeating: Self.buildBody("running"), count: 9) + [Self.buildBody("stopped", outcome: "fail")])
        let timing = VirtualTiming()
        #expect(try client(transport, timing).waitBlocking(forBuild: Self.build).outcome == .fail)
        #expect(timing.sleeps.last == .seconds(15))
        #expect(timing.sleeps.allSatisfy { $0 <= .seconds(15) })
    }

    @Test func followsLogsThroughTruncatedPages() throws {
        let transport = ScriptedTransport([
            Self.buildBody("running"), Self.logsBody("c2", ["one", "two"], truncated: true), Self.logsBody("c3", ["three"]),
            Self.buildBody("stopped", outcome: "success"), Self.logsBody("c4", ["four"]),
        ])
        var lines: [String] = []
        _ = try client(transport, VirtualTiming()).waitBlocking(forBuild: Self.build, followLogs: true) { event in
            if case .log(let line) = event { lines.append(line.message) }
        }
        #expect(lines == ["one", "two", "three", "four"])
        #expect(transport.requests.map(\.url).filter { $0.contains("/logs") }.map { $0.components(separatedBy: "/logs").last! }
                == ["", "?cursor=c2", "?cursor=c3"])
    }

    @Test func passingErrorsOnlyDelayAndRetryAfterIsObeyed() throws {
        let transport = ScriptedTransport([
            .failure(TransportFailure(kind: .network, message: "reset")),
            response(429, #"{"success":false,"errors":[{"code":12051,"message":"Rate limit exceeded"}]}"#, headers: ["retry-after": "20"]),
            Self.buildBody("stopped", outcome: "cancelled"),
        ])
        var configuration = Configuration()
        try configuration.setMaxRetries(0)
        let timing = VirtualTiming()
        let waiter = DeployHookClient(configuration: configuration, transport: transport, timing: timing, environment: {
            ["CLOUDFLARE_API_TOKEN": Self.token, "CLOUDFLARE_ACCOUNT_ID": Self.account][$0]
        })
        #expect(try waiter.waitBlocking(forBuild: Self.build).outcome == .cancelled)
        #expect(timing.sleeps == [.seconds(2), .seconds(20)])
    }

    @Test func givesUpAtTheWaitTimeout() throws {
        let transport = ScriptedTransport(Array(repeating: Self.buildBody("running"), count: 50))
        let timing = VirtualTiming()
        let waiter = try client(transport, timing, waitTimeout: .seconds(30))
        do throws(DeployHookError) {
            _ = try waiter.waitBlocking(forBuild: Self.build)
            Issue.record("expected a wait timeout")
        } catch {
            #expect(error.kind == .waitTimeout)
            #expect(error.message.contains("running"))
        }
        #expect(timing.sleeps.reduce(.zero, +) == .seconds(30))
    }

    @Test func authFailureEndsTheWaitWithoutTheToken() throws {
        let echo = #"{"success":false,"errors":[{"code":12005,"message":"Missing token from authorization header \#(Self.token)"}]}"#
        let transport = ScriptedTransport([response(401, echo)])
        let waiter = try client(transport, VirtualTiming())
        do throws(DeployHookError) {
            _ = try waiter.waitBlocking(forBuild: Self.build)
            Issue.record("expected an API error")
        } catch {
            #expect(error.kind == .api)
            #expect(error.apiCode == 12005)
            #expect(!error.message.contains(Self.token))
            #expect(!error.message.lowercased().contains("secret"))
        }
    }

    @Test func missingCredentialsSendNothing() throws {
        let transport = ScriptedTransport([Self.buildBody("stopped")])
        let bare = DeployHookClient(configuration: Configuration(), transport: transport, timing: VirtualTiming(), environment: { _ in nil })
        #expect(throws: DeployHookError.self) { try bare.waitBlocking(forBuild: Self.build) }
        #expect(throws: DeployHookError.self) { try client(transport, VirtualTiming()).waitBlocking(forBuild: "not-a-uuid") }
        #expect(transport.requests.isEmpty)
    }

    @Test func tokenNeverPrints() throws {
        var configuration = Configuration()
        try configuration.setAPIToken(Self.token)
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains(Self.token))
        let credentials = try APICredentials(accountID: Self.account, token: Self.token)
        #expect(!"\(credentials)".contains(Self.token))
        dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains(Self.token))
        #expect(throws: DeployHookError.self) { try configuration.setAPIToken("two words") }
        #expect(throws: DeployHookError.self) { try configuration.setAccountID("../x") }
    }

    @Test func cursorIsPercentEncoded() {
        #expect("a b/c?d=é".percentEncodedForQuery == "a%20b%2Fc%3Fd%3D%C3%A9")
    }
}
