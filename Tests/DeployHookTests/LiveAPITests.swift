@testable import DeployHook
import Foundation
import Testing

/// The test fake (Tests/fake_api/fake_cloudflare.py) that scripts/test.sh starts for every suite; its base
/// URL arrives in DEPLOYHOOK_TEST_API_URL. Without it (a bare `swift test`) this suite is skipped.
enum FakeAPI {
    static let baseURL = ProcessInfo.processInfo.environment["DEPLOYHOOK_TEST_API_URL"]

    static func client(timeout: Duration = .seconds(10), retries: Int = 0) throws -> DeployHookClient {
        var configuration = Configuration()
        guard let baseURL else { throw DeployHookError(.invalidArgument, "DEPLOYHOOK_TEST_API_URL is not set") }
        try configuration.setBaseURL(baseURL)
        try configuration.setTimeout(timeout)
        try configuration.setMaxRetries(retries)
        return DeployHookClient(configuration: configuration)
    }

    /// The connection serial number of each recorded request to `path`, oldest first (GET /_fake/requests).
    static func recordedConnections(path: String) throws -> [Int] {
        guard let baseURL, let root = baseURL.range(of: "/client/v4") else { return [] }
        let url = String(baseURL[..<root.lowerBound]) + "/_fake/requests"
        let request = HTTPRequest(url: url, redactedURL: url, method: .get, headers: [], connectTimeout: .seconds(5),
                                  timeout: .seconds(10), caFile: nil, maxBodyBytes: 1 << 24)
        let body = try RequestScheduler(maxRetries: 0, timeout: .seconds(10), concurrency: 1, timing: SystemTiming(), ticket: Interrupter().begin())
            .run([request], over: CurlTransport(connections: ConnectionPool()))[0].get().body
        let recorded = try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]] ?? []
        return recorded.filter { $0["path"] as? String == path }.compactMap { $0["connection"] as? Int }
    }
}

@Suite("Live HTTP against the fake API", .enabled(if: FakeAPI.baseURL != nil, "set DEPLOYHOOK_TEST_API_URL (make test does)"))
struct LiveAPITests {
    @Test func success() async throws {
        let result = try await FakeAPI.client().trigger("11111111-1111-4111-8111-111111111111")
        #expect(result.build.buildUUID == "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
        #expect(result.build.status == .queued)
        #expect(result.build.alreadyExists == false)
        #expect(result.response.cfRay?.hasSuffix("-SJC") == true)
    }

    @Test("error kinds over real HTTP", arguments: [
        ("12345678-1234-4234-8234-123456789abc", DeployHookError.Kind.notFound, 404),
        ("55555555-5555-4555-8555-555555555555", .rateLimited, 429),
        ("77777777-7777-4777-8777-777777777777", .http, 502),
        ("88888888-8888-4888-8888-888888888888", .api, 403),
        ("99999999-9999-4999-8999-999999999999", .response, 200),
        ("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", .response, 200),
        ("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", .network, 0),
        ("dddddddd-dddd-4ddd-8ddd-dddddddddddd", .http, 302),
    ])
    func errorKinds(hook: String, kind: DeployHookError.Kind, status: Int) async throws {
        let client = try FakeAPI.client()
        do throws(DeployHookError) {
            _ = try await client.trigger(hook)
            Issue.record("expected \(kind)")
        } catch {
            #expect(error.kind == kind)
            #expect((error.response?.statusCode ?? 0) == status)
            #expect(!error.message.contains(hook))
        }
    }

    @Test func timeoutBoundsTheWholeCall() async throws {
        let client = try FakeAPI.client(timeout: .milliseconds(300), retries: 2)
        let start = ContinuousClock.now
        await #expect { try await client.trigger("cccccccc-cccc-4ccc-8ccc-cccccccccccc") } throws: { ($0 as? DeployHookError)?.kind == .timeout }
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    /// Three triggers through one client travel on one connection; a client of its own opens another.
    @Test func oneClientReusesItsConnection() async throws {
        let hook = String(format: "de1a0000-0000-4000-8000-%08d0000", Int.random(in: 0..<100_000_000))
        let client = try FakeAPI.client()
        for _ in 0..<3 { _ = try client.triggerBlocking(hook) }
        _ = try FakeAPI.client().triggerBlocking(hook)
        let connections = try FakeAPI.recordedConnections(path: "/client/v4/workers/builds/deploy_hooks/\(hook)")
        #expect(connections.count == 4)
        #expect(Set(connections.prefix(3)).count == 1)
        #expect(connections[3] != connections[0])
    }

    /// Sixteen blocking exchanges of 1.5 s each: in parallel they take ~1.5 s; serialised behind Swift's two
    /// cooperative threads they would take ~12 s. The bound sits far from both.
    @Test func asyncTriggersDoNotSerialiseOnTheCooperativePool() async throws {
        let client = try FakeAPI.client(timeout: .milliseconds(1500))
        let start = ContinuousClock.now
        let kinds = await withTaskGroup(of: DeployHookError.Kind?.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    do throws(DeployHookError) { _ = try await client.trigger("cccccccc-cccc-4ccc-8ccc-cccccccccccc"); return nil } catch { return error.kind }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(kinds.count == 16 && kinds.allSatisfy { $0 == .timeout })
        #expect(ContinuousClock.now - start < .seconds(8))
    }
}
