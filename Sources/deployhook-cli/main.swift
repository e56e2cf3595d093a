// deployhook-cli: trigger Cloudflare Workers Builds deploy hooks from a shell or CI, and follow the builds.
import DeployHook
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A closed pipe (`deployhook-cli ... | head -1`) must not kill the CLI before it finishes and writes its
// GitHub files: writes to it fail with EPIPE instead, and the exit status says so (9).
signal(SIGPIPE, SIG_IGN)
Signals.install()
let environment: @Sendable (String) -> String? = { getenv($0).map { String(cString: $0) } }
let status: ExitCode
do throws(CommandLineOptions.UsageError) {
    let options = try CommandLineOptions(Array(CommandLine.arguments.dropFirst()))
    switch options.action {
    case .help:
        status = Terminal.status(ofStandardOutput: Terminal.out(lines: Usage.lines))
    case .version:
        status = Terminal.status(ofStandardOutput: Terminal.out("deployhook-cli \(DeployHookVersion.string)"))
    case .trigger:
        status = TriggerCommand(options: options, environment: environment, readLine: { Swift.readLine() }).run()
    case .cancel:
        status = CancelCommand(options: options).run()
    }
} catch {
    Terminal.err("deployhook-cli: \(error.message)", "Try 'deployhook-cli --help'.")
    status = .usage
}
exit(Signals.exitStatus ?? status.rawValue)
