@testable import DeployHook
import Testing

@Suite("Retries")
struct RetryTests {
    @Test("retried statuses", arguments: [408, 409, 429, 500, 502, 503, 504, 599])
    func retriedStatuses(status: Int) throws {
        let transport = ScriptedTransport([response(status, ""), response(200, okBody)])
        let result = try makeClient(transport).triggerBlocking(Hooks.okUUID)
        #expect(result.build.status == .running)
        #expect(transport.requests.count == 2)
    }

    @Test("not retried statuses", arguments: [400, 401, 403, 404, 422, 302])
    func notRetried(status: Int) throws {
        let transport = ScriptedTransport([response(status, ""), response(200, okBody)])
        #expect(throws: DeployHookError.self) { try makeClient(transport).triggerBlocking(Hooks.okUUID) }
        #expect(transport.requests.count == 1)
    }

    @Test func xShouldRetryOverrides() throws {
        let noRetry = ScriptedTransport([response(503, "", headers: ["x-should-retry": "false"])])
        #expect(throws: DeployHookError.self) { try makeClient(noRetry).triggerBlocking(Hooks.okUUID) }
        #expect(noRetry.requests.count == 1)
        let retry = ScriptedTransport([response(400, "", headers: ["x-should-retry": "true"]), response(200, okBody)])
        _ = try makeClient(retry).triggerBlocking(Hooks.okUUID)
        #expect(retry.requests.count == 2)
        // A success is final, whatever the header says.
        let success = ScriptedTransport([response(200, okBody, headers: ["x-should-retry": "true"]), response(200, okBody)])
        _ = try makeClient(success, retries: 100).triggerBlocking(Hooks.okUUID)
        #expect(success.requests.count == 1)
    }

    @Test func connectionErrorsAndTimeoutsRetryButTLSDoesNot() throws {
        let network = ScriptedTransport([.failure(TransportFailure(kind: .network, message: "refused")),
                                         .failure(TransportFailure(kind: .timeout, message: "connect timeout")),
                                         response(200, okBody)])
        _ = try makeClient(network).triggerBlocking(Hooks.okUUID)
        #expect(network.requests.count == 3)
        let tls = ScriptedTransport([.failure(TransportFailure(kind: .tls, message: "bad cert")), response(200, okBody)])
        #expect(throws: DeployHookError(.tls, "bad cert")) { try makeClient(tls).triggerBlocking(Hooks.okUUID) }
        #expect(tls.requests.count == 1)
    }

    @Test func exponentialBackoffWithoutJitter() throws {
        let timing = VirtualTiming(jitter: 0)
        let transport = ScriptedTransport(Array(repeating: response(500, ""), count: 6))
        #expect(throws: DeployHookError.self) { try makeClient(transport, timing: timing, retries: 5).triggerBlocking(Hooks.okUUID) }
        #expect(timing.sleeps == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8)])
        #expect(transport.requests.count == 6)
    }

    @Test func jitterTakesUpToAQuarter() {
        #expect(RetryPolicy.delay(beforeRetry: 0, after: nil, now: WallTime.now(), jitter: 1) == .milliseconds(375))
        #expect(RetryPolicy.delay(beforeRetry: 10, after: nil, now: WallTime.now(), jitter: 0.5) == .seconds(7))
    }

    @Test("server-requested waits", arguments: [
        (["retry-after-ms": "250"], Duration.milliseconds(250)),
        (["retry-after-ms": "250", "retry-after": "3"], .milliseconds(250)),
        (["retry-after": "3"], .seconds(3)),
        (["retry-after": "1.5"], .milliseconds(1500)),
        (["retry-after": "Tue, 14 Nov 2023 22:13:50 GMT"], .seconds(30)),
        (["retry-after": "61"], .milliseconds(500)),
        (["retry-after": "0"], .milliseconds(500)),
        (["retry-after": "-5"], .milliseconds(500)),
        (["retry-after": "soon"], .milliseconds(500)),
        (["retry-after-ms": "nan", "retry-after": "2"], .seconds(2)),
    ])
    func serverWaits(headers: [String: String], expected: Duration) {
        let now = WallTime(secondsSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        let answer = HTTPResponse(status: 429, headers: headers, body: [])
        #expect(RetryPolicy.delay(beforeRetry: 0, after: answer, now: now, jitter: 0) == expected)
    }

    @Test func httpDates() {
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == WallTime(secondsSince1970: 784_111_777))
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 25:49:37 GMT") == nil)
        #expect(HTTPDate.parse("") == nil)
    }

    @Test func theWallClockIsTheSystemTime() {
        let first = WallTime.now(), second = WallTime.now()
        #expect(first.secondsSince1970 > 1_700_000_000 && first.secondsSince1970 < 4_102_444_800)  // 2023 to 2100
        #expect(first <= second && second.seconds(since: first) < 1)
        #expect(WallTime(secondsSince1970: 30).seconds(since: WallTime(secondsSince1970: 40)) == -10)
    }

    @Test func deadlineStopsRetriesThatCannotFit() throws {
        var configuration = Configuration()
        try configuration.setTimeout(.seconds(2))
        let timing = VirtualTiming(jitter: 0)
        let transport = ScriptedTransport(Array(repeating: response(429, "", headers: ["retry-after": "5"]), count: 3))
        let client = DeployHookClient(configuration: configuration, transport: transport, timing: timing, environment: { _ in nil })
        #expect(throws: DeployHookError.self) { try client.triggerBlocking(Hooks.okUUID) }
        #expect(transport.requests.count == 1)
        #expect(timing.sleeps.isEmpty)
    }

    @Test func eachAttemptGetsTheRemainingTime() throws {
        var configuration = Configuration()
        try configuration.setTimeout(.seconds(10))
        let timing = VirtualTiming(jitter: 0)
        let transport = ScriptedTransport([response(503, "", headers: ["retry-after": "4"]), response(503, "", headers: ["retry-after": "4"]), response(200, okBody)])
        let client = DeployHookClient(configuration: configuration, transport: transport, timing: timing, environment: { _ in nil })
        _ = try client.triggerBlocking(Hooks.okUUID)
        #expect(transport.requests.map(\.timeout) == [.seconds(10), .seconds(6), .seconds(2)])
        #expect(transport.requests.map(\.connectTimeout) == [.seconds(5), .seconds(5), .seconds(2)])
    }

    @Test func zeroRetries() throws {
        let transport = ScriptedTransport([response(503, ""), response(200, okBody)])
        #expect(throws: DeployHookError.self) { try makeClient(transport, retries: 0).triggerBlocking(Hooks.okUUID) }
        #expect(transport.requests.count == 1)
    }
}
