@testable import DeployHook
import Foundation
import Testing

@Suite("Client")
struct ClientTests {
    @Test func requestShape() throws {
        let transport = ScriptedTransport([response(200, okBody)])
        _ = try makeClient(transport).triggerBlocking(Hooks.okUUID.uppercased())
        let request = try #require(transport.requests.first)
        #expect(request.method == .post)
        #expect(request.url == "https://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/\(Hooks.okUUID)")
        #expect(request.redactedURL == "https://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/1111...")
        #expect(request.headers.contains("Accept: application/json"))
        #expect(request.headers.contains("User-Agent: deployhook/\(DeployHookVersion.string) (swift; linux)"))
        #expect(!request.headers.contains { $0.lowercased().hasPrefix("authorization") })
        #expect(request.maxBodyBytes == 1 << 20)
    }

    @Test func baseURLPrecedence() throws {
        let fromEnvironment = ScriptedTransport([response(200, okBody)])
        _ = try makeClient(fromEnvironment, environment: ["CLOUDFLARE_BASE_URL": "http://127.0.0.1:9/v4/"]).triggerBlocking(Hooks.okUUID)
        #expect(fromEnvironment.requests.first?.url == "http://127.0.0.1:9/v4/workers/builds/deploy_hooks/\(Hooks.okUUID)")

        let explicit = ScriptedTransport([response(200, okBody)])
        var client = try makeClient(explicit, environment: ["CLOUDFLARE_BASE_URL": "http://127.0.0.1:9/v4"])
        try client.configuration.setBaseURL("http://localhost:8787/client/v4")
        _ = try client.triggerBlocking(Hooks.okUUID)
        #expect(explicit.requests.first?.url == "http://localhost:8787/client/v4/workers/builds/deploy_hooks/\(Hooks.okUUID)")

        let badEnvironment = ScriptedTransport([response(200, okBody)])
        #expect(throws: DeployHookError.self) {
            try makeClient(badEnvironment, environment: ["CLOUDFLARE_BASE_URL": "ftp://nope"]).triggerBlocking(Hooks.okUUID)
        }
        #expect(badEnvironment.requests.isEmpty)

        let emptyEnvironment = ScriptedTransport([response(200, okBody)])
        _ = try makeClient(emptyEnvironment, environment: ["CLOUDFLARE_BASE_URL": ""]).triggerBlocking(Hooks.okUUID)
        #expect(emptyEnvironment.requests.first?.url.hasPrefix("https://api.cloudflare.com/client/v4/") == true)
    }

    @Test func invalidHookSendsNothing() throws {
        let transport = ScriptedTransport([response(200, okBody)])
        #expect(throws: DeployHookError.self) { try makeClient(transport).triggerBlocking("not-a-hook") }
        #expect(transport.requests.isEmpty)
    }

    @Test func transportMessagesAreScrubbed() throws {
        let transport = ScriptedTransport([.failure(TransportFailure(kind: .tls, message: "bad \(Hooks.secret) here"))])
        let client = try makeClient(transport)
        do throws(DeployHookError) {
            _ = try client.triggerBlocking(Hooks.secret)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .tls)
            #expect(error.message == "bad 4f2a... here")
        }
    }

    @Test func asyncTriggerGivesTheSameOutcome() async throws {
        let transport = ScriptedTransport([response(200, okBody), response(404, "")])
        let client = try makeClient(transport)
        #expect(try await client.trigger(Hooks.okUUID).build.buildUUID == "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
        await #expect(throws: DeployHookError.self) { try await client.trigger(Hooks.okUUID) }
    }
}

@Suite("Configuration")
struct ConfigurationTests {
    @Test func defaults() {
        let configuration = Configuration()
        #expect(configuration.timeout == .seconds(60))
        #expect(configuration.connectTimeout == .seconds(5))
        #expect(configuration.maxRetries == 2)
        #expect(configuration.baseURL == nil)
        #expect(configuration.caFile == nil)
        #expect(configuration.defaultUserAgent == "deployhook/\(DeployHookVersion.string) (swift; linux)")
    }

    @Test func badValuesChangeNothing() throws {
        var configuration = Configuration()
        try configuration.setTimeout(.seconds(3))
        let before = configuration
        #expect(throws: DeployHookError.self) { try configuration.setTimeout(.zero) }
        #expect(throws: DeployHookError.self) { try configuration.setTimeout(.seconds(86_401)) }
        #expect(throws: DeployHookError.self) { try configuration.setConnectTimeout(.milliseconds(-1)) }
        #expect(throws: DeployHookError.self) { try configuration.setMaxRetries(-1) }
        #expect(throws: DeployHookError.self) { try configuration.setMaxRetries(101) }
        #expect(throws: DeployHookError.self) { try configuration.setBaseURL("not a url") }
        #expect(throws: DeployHookError.self) { try configuration.setCAFile("/nonexistent/ca.pem") }
        #expect(throws: DeployHookError.self) { try configuration.setCAFile("") }
        #expect(throws: DeployHookError.self) { try configuration.setCAFile("/") }
        #expect(throws: DeployHookError.self) { try configuration.setUserAgent("") }
        #expect(throws: DeployHookError.self) { try configuration.setUserAgent("a\r\nX-Injected: 1") }
        #expect(throws: DeployHookError.self) { try configuration.setUserAgent(String(repeating: "a", count: 1025)) }
        #expect(configuration == before)
    }

    @Test func caFileMustHoldAPEMCertificate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deployhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pem = directory.appendingPathComponent("ca.pem").path
        let text = directory.appendingPathComponent("ca.txt").path
        try Data("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8).write(to: URL(fileURLWithPath: pem))
        try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: text))
        var configuration = Configuration()
        try configuration.setCAFile(pem)
        #expect(configuration.caFile == pem)
        #expect(throws: DeployHookError.self) { try configuration.setCAFile(text) }
        #expect(configuration.caFile == pem)
    }

    @Test func caFileRules() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deployhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        let marker = Array("-----BEGIN CERTIFICATE-----".utf8)
        // The marker across the reader's 64 KiB chunks, and at the very end.
        let straddling = try file("straddling.pem", [UInt8](repeating: 0x41, count: 65_536 - 10) + marker)
        let atTheEnd = try file("end.pem", [UInt8](repeating: 0x0A, count: 200_000) + marker)
        let exactlyTheLimit = try file("limit.pem", marker + [UInt8](repeating: 0x0A, count: (16 << 20) - marker.count))
        let tooLarge = try file("large.pem", marker + [UInt8](repeating: 0x0A, count: 16 << 20))
        let truncatedMarker = try file("truncated.pem", Array(marker.dropLast()))
        let empty = try file("empty.pem", [])
        let link = directory.appendingPathComponent("link.pem").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: straddling)
        let dangling = directory.appendingPathComponent("dangling.pem").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: directory.appendingPathComponent("none").path)
        var configuration = Configuration()
        for accepted in [straddling, atTheEnd, exactlyTheLimit, link] {
            #expect(throws: Never.self, "\(accepted)") { try configuration.setCAFile(accepted) }
            #expect(configuration.caFile == accepted)
        }
        for refused in [tooLarge, truncatedMarker, empty, dangling, directory.path, "/dev/null", "relative/none.pem"] {
            #expect(throws: DeployHookError.self, "\(refused)") { try configuration.setCAFile(refused) }
        }
        #expect(configuration.caFile == link)
    }

    @Test func resettingToDefaults() throws {
        var configuration = Configuration()
        try configuration.setBaseURL("http://127.0.0.1:1")
        try configuration.setUserAgent("custom/1")
        try configuration.setBaseURL(nil)
        try configuration.setUserAgent(nil)
        #expect(configuration == Configuration())
    }

    @Test func aTriggerURLPastedAsTheBaseIsRefusedWithoutEchoingIt() throws {
        var configuration = Configuration()
        for text in ["https://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/\(Hooks.secret)",
                     "https://api.cloudflare.com/client/v4/\(Hooks.secret.filter { $0 != "-" })",
                     "http://127.0.0.1:9/workers/builds/deploy_hooks/"] {
            do {
                try configuration.setBaseURL(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.kind == .invalidArgument)
                #expect(!error.message.contains(Hooks.secret) && !error.message.contains("127.0.0.1"))
            }
        }
        let client = DeployHookClient(configuration: Configuration(), transport: ScriptedTransport([]), timing: VirtualTiming(),
                                      environment: { $0 == "CLOUDFLARE_BASE_URL" ? "https://x.example/\(Hooks.secret)" : nil })
        #expect(throws: DeployHookError.self) { try client.triggerBlocking(Hooks.okUUID) }
    }
}
