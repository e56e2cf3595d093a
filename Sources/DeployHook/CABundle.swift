import CCurl
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The CA certificates a transfer trusts: a PEM bundle (libcurl's `CURLOPT_CAINFO`) and a directory of
/// hashed certificates (`CURLOPT_CAPATH`), either of which may be absent.
///
/// libcurl only knows the CA paths compiled into it (Debian's: `/etc/ssl/certs/ca-certificates.crt` and
/// `/etc/ssl/certs`). A libcurl carried to another distribution, as in the manylinux wheel, finds no bundle
/// there and fails every HTTPS transfer. ``choose(environment:builtIn:exists:)`` decides what to use instead;
/// when no CA file is configured the transport applies ``forThisProcess``, worked out once per process.
struct CABundle: Equatable, Sendable {
    /// The environment variable naming a CA bundle file, as curl's command-line tool reads it.
    static let curlBundleVariable = "CURL_CA_BUNDLE"
    /// The environment variable naming a CA bundle file, as OpenSSL reads it.
    static let sslFileVariable = "SSL_CERT_FILE"
    /// The environment variable naming a directory of hashed CA certificates (or several, separated by
    /// colons), as OpenSSL reads it.
    static let sslDirectoryVariable = "SSL_CERT_DIR"

    /// Where distributions keep their system CA bundle, tried in this order when libcurl's compiled-in
    /// location is missing.
    static let wellKnownBundles = [
        "/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Arch, Gentoo
        "/etc/pki/tls/certs/ca-bundle.crt",  // Fedora, RHEL
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 7 and later
        "/etc/ssl/ca-bundle.pem",  // openSUSE
        "/etc/ssl/cert.pem",  // Alpine, macOS
        "/etc/pki/tls/cacert.pem",  // OpenELEC
    ]

    /// The PEM bundle to trust (`CURLOPT_CAINFO`); nil: none.
    let file: String?
    /// The directory (or colon-separated directories) of hashed certificates to trust (`CURLOPT_CAPATH`);
    /// nil: none.
    let directory: String?

    /// The store a transfer uses: `caFile` alone when one is configured, else ``forThisProcess``; nil means
    /// libcurl's compiled-in defaults, so no option needs setting.
    static func store(caFile: String?) -> CABundle? {
        if let caFile { return CABundle(file: caFile, directory: nil) }
        return forThisProcess
    }

    /// This process's choice when no CA file is configured: ``choose(environment:builtIn:exists:)`` applied
    /// to the process environment, libcurl's compiled-in paths and the file system, on first use (a Swift
    /// static is initialised once, under a lock), so later changes to the environment are not seen.
    static let forThisProcess: CABundle? = choose(
        environment: environment(),
        builtIn: libcurlBuiltIn(),
        exists: { path in access(path, R_OK) == 0 })

    /// The CA store for a transfer with no CA file configured, or nil for libcurl's compiled-in defaults.
    ///
    /// The first rule that applies wins:
    /// 1. `CURL_CA_BUNDLE` (a file) is used alone, as curl's tool does, which then ignores the next two.
    /// 2. `SSL_CERT_FILE` (a file) and `SSL_CERT_DIR` (a directory) are used, either or both, as OpenSSL
    ///    and curl's tool read them.
    /// 3. libcurl's compiled-in bundle, when it exists (or, when it names no bundle, its compiled-in
    ///    directory): nil, nothing to set.
    /// 4. The first of ``wellKnownBundles`` that exists, alone.
    /// 5. Otherwise nil: libcurl's defaults, and verification fails with a TLS error.
    ///
    /// A variable set to the empty string counts as unset. A store named by the environment is used as named
    /// even when it does not exist (the transfer then fails with a TLS error, as curl's would), and it
    /// replaces the system's store entirely, like a configured CA file: libcurl's compiled-in bundle and
    /// directory are not added to it (on another distribution they may not exist, and a missing bundle
    /// makes libcurl fail every transfer).
    ///
    /// - Parameters:
    ///   - environment: the variables' values by name (only the three above are read).
    ///   - builtIn: libcurl's compiled-in bundle and directory (`curl_version_info`'s cainfo and capath).
    ///   - exists: whether a path exists and can be read.
    static func choose(environment: [String: String], builtIn: (file: String?, directory: String?),
                       exists: (String) -> Bool) -> CABundle? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let bundle = value(curlBundleVariable) {
            return CABundle(file: bundle, directory: nil)
        }
        let sslFile = value(sslFileVariable), sslDirectory = value(sslDirectoryVariable)
        if sslFile != nil || sslDirectory != nil {
            return CABundle(file: sslFile, directory: sslDirectory)
        }
        if let compiledIn = builtIn.file ?? builtIn.directory, exists(compiledIn) {
            return nil
        }
        if let bundle = wellKnownBundles.first(where: exists) {
            return CABundle(file: bundle, directory: nil)
        }
        return nil
    }

    /// The values of the three variables ``choose(environment:builtIn:exists:)`` reads, from the process
    /// environment (nothing else of it is read, and none of it is ever printed).
    private static func environment() -> [String: String] {
        var values: [String: String] = [:]
        for name in [curlBundleVariable, sslFileVariable, sslDirectoryVariable] {
            if let value = getenv(name) { values[name] = String(cString: value) }
        }
        return values
    }

    /// libcurl's compiled-in CA bundle and directory, from `curl_version_info` (both nil from a libcurl
    /// older than 7.70, whose answer has no such fields). The call asks for the seventh version of the
    /// answer, the first with them (Swift cannot see the `CURLVERSION_NOW` macro); `age` says what came.
    private static func libcurlBuiltIn() -> (file: String?, directory: String?) {
        guard let info = curl_version_info(CURLVERSION_SEVENTH)?.pointee, info.age.rawValue >= CURLVERSION_SEVENTH.rawValue else {
            return (nil, nil)
        }
        return (info.cainfo.map { String(cString: $0) }, info.capath.map { String(cString: $0) })
    }
}
