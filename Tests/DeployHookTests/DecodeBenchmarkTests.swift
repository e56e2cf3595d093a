@testable import DeployHook
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decoding speed: 100,000 envelope decodes of the fake's `ok` trigger answer and of its `build_full` answer,
/// then 100,000 whole calls (trigger, build details) over a transport that answers at once with them, no network.
/// The first two call the generic `Envelope<Fields>.decode` from this module, so they run it unspecialized;
/// the calls run the code as the library does.
/// Off by default (it measures, it checks little); run it on an optimized build, one test at a time:
///   swift build -c release --build-tests -Xswiftc -enable-testing --scratch-path /tmp/bench
///   DEPLOYHOOK_DECODE_BENCHMARK=1 swift test -c release -Xswiftc -enable-testing --scratch-path /tmp/bench \
///       --skip-build --filter DecodeBenchmark
@Suite("Decode benchmark", .serialized, .enabled(if: getenv("DEPLOYHOOK_DECODE_BENCHMARK") != nil))
struct DecodeBenchmark {
    static let iterations = 100_000

    /// The fake API's `ok` answer (benchmarks/README.md's trigger answer).
    static let okTrigger = Array("""
        {"success":true,"errors":[],"messages":[],"result":{"already_exists":false,"build_uuid":"182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e","created_on":"2019-12-27T18:11:19.117Z","status":"queued"}}
        """.utf8)

    /// The fake API's `build_full` answer: a stopped build with its metadata, deploy hook and trigger.
    static let fullBuild = Array(#"""
        {"success":true,"errors":[],"messages":[],"result":{"build_uuid":"182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e","status":"stopped","build_outcome":"success","created_on":"2019-12-27T18:11:19.117Z","initializing_on":"2019-12-27T18:11:20.117Z","running_on":"2019-12-27T18:11:21.117Z","stopped_on":"2019-12-27T18:11:51.117Z","modified_on":"2019-12-27T18:11:51.117Z","preview_url":"https://1a2b3c4d-my-worker.my-subdomain.workers.dev","build_trigger_metadata":{"author":"ada@example.com","branch":"main","build_command":"npm run build","build_token_name":"Production build token","build_token_uuid":"5e0f5e0f-0000-4000-8000-000000000001","build_trigger_source":"deploy_hook","commit_hash":"1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b","commit_message":"Fix the caf\u00e9 menu\n\nAnd its prices","deploy_command":"npx wrangler deploy","environment_variables":{"NODE_ENV":"production"},"provider_account_name":"example-org","provider_type":"github","repo_name":"my-worker","root_directory":"/"},"deploy_hook":{"deploy_hook_name":"Production deploy hook"},"trigger":{"trigger_uuid":"7c1d0000-0000-4000-8000-000000000001","trigger_name":"Deploy default branch","external_script_id":"1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d","branch_excludes":[],"branch_includes":["main"],"build_caching_enabled":true,"build_command":"npm run build","created_on":"2019-12-01T00:00:00.000Z","deploy_command":"npx wrangler deploy","modified_on":"2019-12-02T00:00:00.000Z","path_excludes":[],"path_includes":["*"],"repo_connection":{"created_on":"2019-12-01T00:00:00.000Z","modified_on":"2019-12-01T00:00:00.000Z","provider_account_id":"12345678","provider_account_name":"example-org","provider_type":"github","repo_connection_uuid":"4e90c000-0000-4000-8000-000000000001","repo_id":"87654321","repo_name":"my-worker"},"root_directory":"/"},"pull_request":null}}
        """#.utf8)

    /// Runs `decode` `iterations` times, best of three rounds; prints and returns the time per decode.
    static func measure(_ name: String, _ decode: () -> Bool) -> Duration {
        var best = Duration.seconds(3600)
        for _ in 0..<3 {
            let clock = ContinuousClock()
            var ok = true
            let elapsed = clock.measure {
                for _ in 0..<iterations where !decode() { ok = false }
            }
            #expect(ok)
            best = min(best, elapsed)
        }
        print("decode benchmark: \(name): \(iterations) runs in \(best) (\(best / iterations) each), best of 3")
        return best
    }

    @Test func okTriggerAnswer() {
        _ = Self.measure("ok trigger answer (\(Self.okTrigger.count) bytes)") {
            Envelope<TriggerFields>.decode(Self.okTrigger)?.result?.build.status == .queued
        }
    }

    /// A transport that answers every request at once with the same answer.
    final class FixedTransport: BlockingHTTPTransport, Sendable {
        let answer: HTTPResponse
        init(_ body: [UInt8]) { answer = HTTPResponse(status: 200, headers: ["cf-ray": "8c2f1a2b3c4d5e6f-SJC"], body: body) }
        func perform(_ request: HTTPRequest) -> Result<HTTPResponse, TransportFailure> { .success(answer) }
    }

    @Test func triggerCalls() throws {
        let client = DeployHookClient(configuration: Configuration(), transport: FixedTransport(Self.okTrigger),
                                      timing: VirtualTiming(), environment: { _ in nil })
        _ = Self.measure("trigger call on the ok answer, no network") {
            (try? client.triggerBlocking(Hooks.okUUID))?.build.status == .queued
        }
    }

    @Test func buildDetailsCalls() throws {
        var configuration = Configuration()
        try configuration.setAccountID("023e105f4ecef8ad9ca31a8372d0c353")
        try configuration.setAPIToken("fake-api-token-for-builds")
        let client = DeployHookClient(configuration: configuration, transport: FixedTransport(Self.fullBuild),
                                      timing: VirtualTiming(), environment: { _ in nil })
        _ = Self.measure("build details call on the full answer, no network") {
            (try? client.buildDetailsBlocking("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"))?.source.triggerName == "Deploy default branch"
        }
    }

    @Test func fullBuildAnswer() {
        _ = Self.measure("full build answer (\(Self.fullBuild.count) bytes)") {
            Envelope<BuildFields>.decode(Self.fullBuild)?.result?.details.source.triggerName == "Deploy default branch"
        }
    }
}
