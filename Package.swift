// swift-tools-version: 6.0
// deployhook: trigger Cloudflare Workers Builds deploy hooks from Swift, C, Python and the shell.
import Foundation
import PackageDescription

/// The library's SONAME, libdeployhook.so.<major>: the major version in VERSION, the one hand-edited place of
/// the version, bumped on every incompatible ABI change.
let soname: String = {
    let path = Context.packageDirectory + "/VERSION"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8), let major = text.split(separator: ".").first,
          Int(major.trimmingCharacters(in: .whitespacesAndNewlines)) != nil
    else { fatalError("\(path): expected MAJOR.MINOR.PATCH") }
    return "libdeployhook.so.\(major.trimmingCharacters(in: .whitespacesAndNewlines))"
}()

let package = Package(
    name: "deployhook",
    products: [
        // The C ABI: .build/<config>/libdeployhook.so, declared by include/deployhook.h.
        .library(name: "deployhook", type: .dynamic, targets: ["DeployHookC"]),
        // The Swift API.
        .library(name: "DeployHook", targets: ["DeployHook"]),
        // The command-line tool (installed as `deployhook`; SwiftPM will not give it the library's name).
        .executable(name: "deployhook-cli", targets: ["deployhook-cli"]),
    ],
    targets: [
        // libcurl, with typed setters for the variadic curl_easy_setopt.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // The hand-written C types of the ABI (enums, opaque handles, version macros).
        .systemLibrary(name: "CDeployHook"),
        // The core: hook parsing, configuration, transport, retries, decoding.
        .target(name: "DeployHook", dependencies: ["CCurl"]),
        // The thin C boundary: @c functions that convert, call the core and convert back.
        .target(
            name: "DeployHookC",
            dependencies: ["DeployHook", "CDeployHook"],
            exclude: ["exports.map"],
            linkerSettings: [
                .unsafeFlags([
                    // Link with lld, which honours the version script exactly: the library exports the
                    // deployhook_* functions and nothing else.
                    "-use-ld=lld",
                    "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/DeployHookC/exports.map",
                    "-Xlinker", "-soname=\(soname)",
                    // Self-contained: the Swift runtime linked in, no RUNPATH into the toolchain (SwiftPM's
                    // $ORIGIN only), so the .so runs where no Swift is installed. No Foundation: the core
                    // reads JSON, times and files itself.
                    "-static-stdlib", "-no-toolchain-stdlib-rpath",
                ]),
            ]
        ),
        // deployhook-cli: argument parsing, concurrency, output; the core does the work.
        .executableTarget(
            name: "deployhook-cli",
            dependencies: ["DeployHook"],
            linkerSettings: [
                // Self-contained like the library: starts faster and runs without the toolchain.
                .unsafeFlags(["-use-ld=lld", "-static-stdlib"]),
            ]
        ),
        .testTarget(name: "DeployHookTests", dependencies: ["DeployHook"]),
    ]
)
