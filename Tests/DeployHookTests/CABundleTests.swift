@testable import DeployHook
import Testing

@Suite("CA store when no CA file is configured")
struct CABundleTests {
    static let debianBundle = "/etc/ssl/certs/ca-certificates.crt"
    static let debianDirectory = "/etc/ssl/certs"
    /// libcurl as Debian builds it.
    static let debianBuiltIn: (file: String?, directory: String?) = (debianBundle, debianDirectory)

    /// The choice for `environment` on a machine where exactly `existing` exists.
    func choice(_ environment: [String: String] = [:], builtIn: (file: String?, directory: String?) = debianBuiltIn,
                existing: Set<String>) -> CABundle? {
        CABundle.choose(environment: environment, builtIn: builtIn, exists: { existing.contains($0) })
    }

    @Test func aConfiguredCAFileIsUsedAloneWhateverTheEnvironment() {
        #expect(CABundle.store(caFile: "/srv/ca.pem") == CABundle(file: "/srv/ca.pem", directory: nil))
    }

    @Test func withoutACAFileTheProcessChoiceApplies() {
        #expect(CABundle.store(caFile: nil) == CABundle.forThisProcess)
    }

    @Test func libcurlsCompiledInBundleWhenItExists() {
        #expect(choice(existing: [Self.debianBundle, Self.debianDirectory, "/etc/pki/tls/certs/ca-bundle.crt"]) == nil)
    }

    @Test func curlCABundleWinsAlone() {
        let environment = ["CURL_CA_BUNDLE": "/a.pem", "SSL_CERT_FILE": "/b.pem", "SSL_CERT_DIR": "/c"]
        #expect(choice(environment, existing: [Self.debianBundle]) == CABundle(file: "/a.pem", directory: nil))
    }

    @Test func sslCertFileAlone() {
        #expect(choice(["SSL_CERT_FILE": "/b.pem"], existing: [Self.debianBundle]) == CABundle(file: "/b.pem", directory: nil))
    }

    @Test func sslCertDirAlone() {
        #expect(choice(["SSL_CERT_DIR": "/c"], existing: [Self.debianBundle]) == CABundle(file: nil, directory: "/c"))
    }

    @Test func sslCertFileAndDirTogether() {
        #expect(choice(["SSL_CERT_FILE": "/b.pem", "SSL_CERT_DIR": "/c:/d"], existing: [])
                == CABundle(file: "/b.pem", directory: "/c:/d"))
    }

    @Test func aNamedStoreIsUsedEvenWhenMissing() {
        #expect(choice(["SSL_CERT_FILE": "/missing.pem"], existing: [Self.debianBundle])
                == CABundle(file: "/missing.pem", directory: nil))
    }

    @Test func emptyVariablesCountAsUnset() {
        let environment = ["CURL_CA_BUNDLE": "", "SSL_CERT_FILE": "", "SSL_CERT_DIR": ""]
        #expect(choice(environment, existing: [Self.debianBundle]) == nil)
        #expect(choice(["CURL_CA_BUNDLE": "", "SSL_CERT_DIR": "/c"], existing: []) == CABundle(file: nil, directory: "/c"))
    }

    @Test func otherVariablesAreIgnored() {
        let environment = ["REQUESTS_CA_BUNDLE": "/r.pem", "CURL_CA_PATH": "/p", "SSL_CERT_PATH": "/q"]
        #expect(choice(environment, existing: [Self.debianBundle]) == nil)
    }

    /// A libcurl built with another prefix, whose compiled-in bundle exists nowhere.
    @Test("each well-known bundle is found when libcurl's is missing", arguments: CABundle.wellKnownBundles)
    func wellKnownBundleWhenTheCompiledInOneIsMissing(bundle: String) {
        #expect(choice(builtIn: ("/opt/curl/share/curl-ca-bundle.crt", nil), existing: [bundle])
                == CABundle(file: bundle, directory: nil))
    }

    @Test func wellKnownBundlesAreTriedInOrder() {
        let existing: Set = ["/etc/ssl/cert.pem", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem"]
        #expect(choice(existing: existing) == CABundle(file: "/etc/pki/tls/certs/ca-bundle.crt", directory: nil))
        #expect(CABundle.wellKnownBundles.first == Self.debianBundle)
    }

    /// Fedora has /etc/ssl/certs (a link to /etc/pki/tls/certs, no hashed names) but no ca-certificates.crt:
    /// the compiled-in directory alone does not count when libcurl names a bundle.
    @Test func anExistingCompiledInDirectoryDoesNotSaveAMissingCompiledInBundle() {
        let existing: Set = [Self.debianDirectory, "/etc/pki/tls/certs/ca-bundle.crt"]
        #expect(choice(existing: existing) == CABundle(file: "/etc/pki/tls/certs/ca-bundle.crt", directory: nil))
    }

    @Test func aLibcurlWithOnlyACompiledInDirectoryKeepsIt() {
        #expect(choice(builtIn: (nil, "/etc/ssl/certs"), existing: ["/etc/ssl/certs", "/etc/ssl/cert.pem"]) == nil)
        #expect(choice(builtIn: (nil, "/gone"), existing: ["/etc/ssl/cert.pem"]) == CABundle(file: "/etc/ssl/cert.pem", directory: nil))
    }

    @Test func aLibcurlWithNoCompiledInPathGetsAWellKnownBundle() {
        #expect(choice(builtIn: (nil, nil), existing: ["/etc/ssl/ca-bundle.pem"]) == CABundle(file: "/etc/ssl/ca-bundle.pem", directory: nil))
    }

    @Test func nothingFoundLeavesLibcurlsDefaults() {
        #expect(choice(existing: []) == nil)
        #expect(choice(builtIn: (nil, nil), existing: []) == nil)
    }

    @Test func theEnvironmentIsConsultedBeforeTheFileSystem() {
        var asked: [String] = []
        let chosen = CABundle.choose(environment: ["SSL_CERT_FILE": "/b.pem"], builtIn: Self.debianBuiltIn,
                                     exists: { asked.append($0); return true })
        #expect(chosen == CABundle(file: "/b.pem", directory: nil))
        #expect(asked.isEmpty)
    }
}
