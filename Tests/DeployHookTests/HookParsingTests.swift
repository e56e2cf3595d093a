@testable import DeployHook
import Testing

@Suite("Hook input")
struct HookParsingTests {
    let base = APIBase.cloudflare

    @Test("bare UUIDs in any case, trimmed", arguments: [
        "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
        "182BD5E5-6E1A-4FE4-A799-AA6D9A6AB26E",
        "  182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e\n",
        "\t182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e\r\n",
    ])
    func acceptsBareUUIDs(input: String) throws {
        #expect(try DeployHookID(parsing: input, apiBase: base).uuid == "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
    }

    @Test("trigger URLs under the API base", arguments: [
        "https://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
        "HTTPS://API.Cloudflare.com:443/client/v4/workers/builds/deploy_hooks/182BD5E5-6E1A-4FE4-A799-AA6D9A6AB26E",
        " https://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e\n",
    ])
    func acceptsTriggerURLs(input: String) throws {
        #expect(try DeployHookID(parsing: input, apiBase: base).uuid == "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
    }

    @Test("everything else is rejected before any traffic", arguments: [
        "", "   \n", "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26", "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e0",
        "182bd5e56e1a4fe4a799aa6d9a6ab26e", "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26g", "182bd5e5_6e1a-4fe4-a799-aa6d9a6ab26e",
        "182bd5e5-6e1a-4fe4 a799-aa6d9a6ab26e", "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e\r\nX-Evil: 1",
        "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e\u{0}", "../../../etc/passwd", "１８２bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
        "https://evil.example/client/v4/workers/builds/deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
        "http://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
        "https://api.cloudflare.com:8443/client/v4/workers/builds/deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
        "https://api.cloudflare.com/client/v5/workers/builds/deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
        "https://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e/extra",
        "https://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/../deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
        "https://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e?x=1",
        "https://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e#frag",
        "https://user@api.cloudflare.com/client/v4/workers/builds/deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
        "https://api.cloudflare.com.evil.example/client/v4/workers/builds/deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
        "ftp://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
    ])
    func rejects(input: String) {
        #expect(throws: DeployHookError.self) { try DeployHookID(parsing: input, apiBase: base) }
        do { _ = try DeployHookID(parsing: input, apiBase: base) } catch {
            #expect(error.kind == .invalidArgument)
            #expect(!error.message.contains("182bd5e5"))
        }
    }

    @Test func trailingSlashOfBaseDoesNotMatter() throws {
        let local = try #require(APIBase(validating: "http://127.0.0.1:8787/client/v4/"))
        let id = try DeployHookID(parsing: "http://127.0.0.1:8787/client/v4/workers/builds/deploy_hooks/\(Hooks.okUUID)", apiBase: local)
        #expect(id.uuid == Hooks.okUUID)
    }
}

@Suite("API base")
struct APIBaseTests {
    @Test("normalizes", arguments: [
        ("https://API.cloudflare.com/client/v4/", "https://api.cloudflare.com/client/v4"),
        ("https://api.cloudflare.com:443/client/v4", "https://api.cloudflare.com/client/v4"),
        ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
        ("http://[::1]:8787/client/v4", "http://[::1]:8787/client/v4"),
        ("http://localhost:80/x", "http://localhost/x"),
    ])
    func normalizes(input: String, expected: String) throws {
        #expect(try #require(APIBase(validating: input)).description == expected)
    }

    @Test("rejects", arguments: [
        "", "api.cloudflare.com", "ftp://x/y", "https://", "https://a b/", "https://u:p@host/", "https://host/?q",
        "https://host/#f", "https://host:0/", "https://host:65536/", "https://host:12ab/", "https://[::1/",
        "https://host/pa th", "https://hö.st/",
    ])
    func rejects(input: String) {
        #expect(APIBase(validating: input) == nil)
    }
}

@Suite("Redaction")
struct RedactionTests {
    @Test func hookPrintsRedacted() throws {
        let id = try DeployHookID(parsing: Hooks.secret, apiBase: .cloudflare)
        #expect(id.redacted == "4f2a...")
        #expect("\(id)" == "4f2a...")
        #expect(String(reflecting: id) == "DeployHookID(4f2a...)")
        var dumped = ""
        dump(id, to: &dumped)
        #expect(!dumped.contains("9c1e"))
    }

    @Test func scrubbingRemovesTheHookInAnyCase() throws {
        let id = try DeployHookID(parsing: Hooks.secret, apiBase: .cloudflare)
        let text = "a \(Hooks.secret) b \(Hooks.secret.uppercased()) c"
        #expect(Redactor(hooks: [id])(text) == "a 4f2a... b 4f2a... c")
        let undashed = Hooks.secret.filter { $0 != "-" }
        #expect(Redactor(hooks: [id])("x\(undashed)y \(undashed.uppercased())") == "x4f2a...y 4f2a...")
        #expect(Redactor(hooks: [id])("no hook 4f2a9c1e-7b3d-4e5f-9a8b-0c1d2e3f4a5c here") == "no hook 4f2a9c1e-7b3d-4e5f-9a8b-0c1d2e3f4a5c here")
    }
}
