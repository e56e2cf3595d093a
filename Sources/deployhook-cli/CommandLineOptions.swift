import DeployHook

/// What the command line asked for.
struct CommandLineOptions: Sendable {
    /// What to do.
    enum Action: Equatable { case trigger, cancel, help, version }

    var action = Action.trigger
    /// Hooks as given (`-` expands to standard input's lines later); empty means CLOUDFLARE_DEPLOY_HOOK.
    /// For `cancel`: the build UUIDs.
    var hooks: [String] = []
    var configuration = Configuration()
    var wait = false
    var logs = false
    var json = false
    var quiet = false
    var verbose = false
    /// With `--wait`: cancel a build still running when the wait timeout ends.
    var cancelOnTimeout = false

    /// A usage error: the message says what is wrong, never echoing a hook.
    struct UsageError: Error, Equatable {
        var message: String
    }

    /// Parses the arguments after the program name.
    init(_ arguments: [String]) throws(UsageError) {
        try? configuration.setBinding("cli")
        guard let command = arguments.first else { throw UsageError(message: "missing command: try 'deployhook-cli trigger'") }
        switch command {
        case "-h", "--help", "help": action = .help; return
        case "--version", "version": action = .version; return
        case "trigger": break
        case "cancel": action = .cancel
        default: throw UsageError(message: "unknown command '\(Self.printable(command))': try --help")
        }
        var remaining = arguments.dropFirst()[...]
        var onlyHooksFollow = false
        while let argument = remaining.popFirst() {
            if onlyHooksFollow || argument == "-" || !argument.hasPrefix("-") {
                hooks.append(argument)
                continue
            }
            if argument == "--" { onlyHooksFollow = true; continue }
            let (name, inlineValue) = Self.split(argument)
            func value() throws(UsageError) -> String {
                if let inlineValue { return inlineValue }
                guard let next = remaining.popFirst() else { throw UsageError(message: "\(name) needs a value") }
                return next
            }
            try apply(name, value)
        }
    }

    private mutating func apply(_ name: String, _ value: () throws(UsageError) -> String) throws(UsageError) {
        switch name {
        case "-h", "--help": action = .help
        case "--version": action = .version
        case "--wait": wait = true
        case "--cancel-on-timeout": cancelOnTimeout = true; wait = true
        case "--logs": logs = true; wait = true
        case "--json": json = true
        case "-q", "--quiet": quiet = true
        case "-v", "--verbose": verbose = true
        case "--base-url": let url = try value(); try set(name) { (c) throws(DeployHookError) in try c.setBaseURL(url) }
        case "--timeout": let d = try Self.duration(name, try value()); try set(name) { (c) throws(DeployHookError) in try c.setTimeout(d) }
        case "--connect-timeout": let d = try Self.duration(name, try value()); try set(name) { (c) throws(DeployHookError) in try c.setConnectTimeout(d) }
        case "--wait-timeout": let d = try Self.duration(name, try value()); try set(name) { (c) throws(DeployHookError) in try c.setWaitTimeout(d) }
        case "--concurrency":
            let text = try value()
            guard let count = Int(text) else { throw UsageError(message: "\(name) needs a whole number, not '\(Self.printable(text))'") }
            try set(name) { (c) throws(DeployHookError) in try c.setMaxConcurrency(count) }
        case "--retries":
            let text = try value()
            guard let count = Int(text) else { throw UsageError(message: "\(name) needs a whole number, not '\(Self.printable(text))'") }
            try set(name) { (c) throws(DeployHookError) in try c.setMaxRetries(count) }
        case "--ca-file": let path = try value(); try set(name) { (c) throws(DeployHookError) in try c.setCAFile(path) }
        case "--account-id": let id = try value(); try set(name) { (c) throws(DeployHookError) in try c.setAccountID(id) }
        default: throw UsageError(message: "unknown option '\(Self.printable(name))': try --help")
        }
    }

    /// Applies a configuration change, turning its error into a usage error that names the option.
    private mutating func set(_ name: String, _ change: (inout Configuration) throws(DeployHookError) -> Void) throws(UsageError) {
        do throws(DeployHookError) { try change(&configuration) } catch { throw UsageError(message: "\(name): \(error.message)") }
    }

    /// `--name=value` → (`--name`, `value`); anything else → (argument, nil).
    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    /// `30`, `1.5`, `500ms`, `30s`, `2m`, `1h` as a duration.
    static func duration(_ name: String, _ text: String) throws(UsageError) -> Duration {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        let unit = units.first { text.hasSuffix($0.suffix) && Double(text.dropLast($0.suffix.count)) != nil }
        let number = Double(unit.map { String(text.dropLast($0.suffix.count)) } ?? text)
        guard let number, number.isFinite, number > 0, number * (unit?.seconds ?? 1) <= 86_400 else {
            throw UsageError(message: "\(name) needs a duration such as 30, 1.5s, 500ms or 2m (at most 24h), not '\(printable(text))'")
        }
        return .milliseconds(Int64((number * (unit?.seconds ?? 1) * 1000).rounded(.up)))
    }

    /// Text safe to echo in a usage error: short, and never something that could be a hook.
    static func printable(_ text: String) -> String {
        let looksSecret = text.utf8.filter { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }.count >= 16
        return looksSecret ? "..." : String(text.prefix(40))
    }
}
