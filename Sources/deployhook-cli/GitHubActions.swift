#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GitHub Actions step outputs and job summary. Values never hold a hook or a token, and nothing a server
/// sent can add a key, a line, a row, a column or markup: `GITHUB_OUTPUT` gets only UUIDs (checked by
/// `HookReport`) and status names (enums), the summary's free text goes through `SafeText.markdownCell`.
enum GitHubActions {
    /// Appends `build_uuid=`, `status=` (and `outcome=`, `branch=`, `commit=`) to `$GITHUB_OUTPUT`, and a table to
    /// `$GITHUB_STEP_SUMMARY`. Each file that cannot be written is named on stderr; returns false then.
    static func record(_ reports: [HookReport], waited: Bool, environment: (String) -> String?) -> Bool {
        var written = true
        if let path = environment("GITHUB_OUTPUT"), !path.isEmpty {
            var lines = ["build_uuid=" + reports.map { $0.buildUUID ?? "" }.joined(separator: " "),
                         "status=" + reports.map { $0.status?.rawValue ?? "" }.joined(separator: " ")]
            if waited {
                lines.append("outcome=" + reports.map { $0.final?.outcome?.rawValue ?? "" }.joined(separator: " "))
                lines.append("branch=" + reports.map { safeBranch($0.final?.source.branch) }.joined(separator: " "))
                lines.append("commit=" + reports.map { safeCommit($0.final?.source.commitHash) }.joined(separator: " "))
            }
            written = append(lines.joined(separator: "\n") + "\n", to: path, named: "GITHUB_OUTPUT") && written
        }
        if let path = environment("GITHUB_STEP_SUMMARY"), !path.isEmpty {
            var table = "### deployhook\n\n| hook | build | status |" + (waited ? " outcome |" : "") + " result |\n|---|---|---|" + (waited ? "---|" : "") + "---|\n"
            for report in reports {
                let result = report.error.map { SafeText.markdownCell($0.message) } ?? (report.triggered?.build.alreadyExists == true ? "already queued" : "triggered")
                table += "| `\(report.hook)` | \(report.buildUUID.map { "`\($0)`" } ?? "–") | \(report.status?.rawValue ?? "–") |"
                if waited { table += " \(report.final?.outcome?.rawValue ?? "–") |" }
                table += " \(result) |\n"
            }
            written = append(table + "\n", to: path, named: "GITHUB_STEP_SUMMARY") && written
        }
        return written
    }

    /// A branch name as git allows it (letters, digits, `.`, `_`, `-`, `/`; at most 255 bytes), else empty:
    /// a server's text never adds a key, a line or a list item to `GITHUB_OUTPUT`.
    static func safeBranch(_ branch: String?) -> String {
        guard let branch, (1...255).contains(branch.utf8.count), branch.utf8.allSatisfy({
            $0.isASCIILetterOrDigit || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "/")
        }) else { return "" }
        return branch
    }

    /// A commit hash (7 to 64 hex digits), else empty.
    static func safeCommit(_ commit: String?) -> String {
        guard let commit, (7...64).contains(commit.utf8.count), commit.utf8.allSatisfy(\.isASCIIHexDigit) else { return "" }
        return commit
    }

    /// Appends `text` to the file at `path`, checking the write, the flush and the close (a full disk
    /// shows only there); on failure says so on stderr, naming the variable, and returns false.
    private static func append(_ text: String, to path: String, named variable: String) -> Bool {
        var failure: WriteFailure?
        if let file = fopen(path, "a") {
            let bytes = Array(text.utf8)
            if fwrite(bytes, 1, bytes.count, file) != bytes.count { failure = .fromErrno() }
            if fflush(file) != 0, failure == nil { failure = .fromErrno() }
            if fclose(file) != 0, failure == nil { failure = .fromErrno() }
        } else {
            failure = .fromErrno()
        }
        guard let failure else { return true }
        Terminal.err("deployhook-cli: cannot append to \(variable) (\(path)): \(failure.reason)")
        return false
    }
}

extension UInt8 {
    /// An ASCII letter or digit.
    var isASCIILetterOrDigit: Bool { (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) }
    /// An ASCII hex digit.
    var isASCIIHexDigit: Bool { (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self) }
}
