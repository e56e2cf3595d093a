// deployhook-cli: trigger Cloudflare Workers Builds deploy hooks from a shell or CI, and follow the builds.
import DeployHook
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let environment: @Sendable (String) -> String? = { getenv($0).map { String(cString: $0) } }
let status: ExitCode
do throws(CommandLineOptions.UsageError) {
    let options = try CommandLineOptions(Array(CommandLine.arguments.dropFirst()))
    switch options.action {
    case .help:
        Terminal.out(Usage.text)
        status = .success
    case .version:
        Terminal.out("deployhook-cli \(DeployHookVersion.string)")
        status = .success
    case .trigger:
        status = TriggerCommand(options: options, environment: environment, readLine: { Swift.readLine() }).run()
    }
} catch {
    Terminal.err("deployhook-cli: \(error.message)\nTry 'deployhook-cli --help'.")
    status = .usage
}
exit(status.rawValue)
