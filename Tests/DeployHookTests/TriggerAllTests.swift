@testable import DeployHook
import Testing

@Suite("Triggering many hooks")
struct TriggerAllTests {
    @Test func outcomesComeInInputOrderAndInvalidHooksFailAlone() throws {
        let transport = ScriptedTransport([response(200, okBody), response(404, ""), response(503, ""), response(200, okBody)])
        let outcomes = try makeClient(transport, retries: 1).triggerAllBlocking([Hooks.okUUID, "nope", Hooks.secret, Hooks.okUUID, Hooks.okUUID])
        #expect(outcomes.count == 5)
        #expect((try? outcomes[0].get())?.build.status == .running)
        #expect(outcomeKind(outcomes[1]) == .invalidArgument)
        #expect(outcomeKind(outcomes[2]) == .notFound)
        // All four valid hooks start at once (concurrency 8): the 503's retry comes last and finds the script spent.
        #expect(outcomeKind(outcomes[3]) == .internal)
        #expect((try? outcomes[4].get()) != nil)
        #expect(transport.requests.count == 5)
        #expect(!transport.requests.contains { $0.url.contains("nope") })
    }

    @Test func aBadBaseURLFailsEveryHook() throws {
        let transport = ScriptedTransport([])
        let outcomes = try makeClient(transport, environment: ["CLOUDFLARE_BASE_URL": "ftp://x"]).triggerAllBlocking([Hooks.okUUID, Hooks.secret])
        #expect(outcomes.map(outcomeKind) == [.invalidArgument, .invalidArgument])
        #expect(transport.requests.isEmpty)
    }

    @Test func concurrencyIsValidated() throws {
        var configuration = Configuration()
        #expect(configuration.maxConcurrency == 8)
        try configuration.setMaxConcurrency(1)
        #expect(throws: DeployHookError.self) { try configuration.setMaxConcurrency(0) }
        #expect(throws: DeployHookError.self) { try configuration.setMaxConcurrency(257) }
        #expect(configuration.maxConcurrency == 1)
    }

    @Test("over curl's multi interface against the fake", .enabled(if: FakeAPI.baseURL != nil))
    func live() async throws {
        var client = try FakeAPI.client(timeout: .seconds(10), retries: 2)
        try client.configuration.setMaxConcurrency(3)
        let hooks = ["11111111-1111-4111-8111-111111111111", "12345678-1234-4234-8234-123456789abc", "not-a-hook",
                     "88888888-8888-4888-8888-888888888888", "66666666-6666-4666-8666-666666666666",
                     "33333333-3333-4333-8333-333333333333", "99999999-9999-4999-8999-999999999999"]
        let outcomes = await client.triggerAll(hooks)
        #expect(outcomes.map(outcomeKind) == [nil, .notFound, .invalidArgument, .api, nil, nil, .response])
        #expect((try? outcomes[5].get())?.build.alreadyExists == true)
        #expect((try? outcomes[0].get())?.response.cfRay?.hasSuffix("-SJC") == true)
    }
}

/// The error kind of an outcome, nil for success.
func outcomeKind<T>(_ outcome: Result<T, DeployHookError>) -> DeployHookError.Kind? {
    if case .failure(let error) = outcome { return error.kind }
    return nil
}
