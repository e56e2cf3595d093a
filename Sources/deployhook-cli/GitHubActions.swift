#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GitHub Actions step outputs and job summary. Values never hold a hook or a token, and nothing a server
/// sent can add a key, a line, a row, a column or markup: `GITHUB_OUTPUT` gets only UUIDs (checked by
/// `HookReport`) and status names (enums), the summary's free text goes through `SafeText.markdownCell`.
enum GitHubActions {
    /// Appends `build_uuid=`, `status=` (and `outcome=`) to `$GITHUB_OUTPUT`, and a table to
    /// `$GITHUB_STEP_SUMMARY`. Each file that cannot be written is named on stderr; returns false then.
    static func record(_ reports: [HookReport], waited: Bool, environment: (String) -> String?) -> Bool {
        var written = true
        if let path = environment("GITHUB_OUTPUT"), !path.isEmpty {
            var lines = ["build_uuid=" + reports.map { $0.buildUUID ?? "" }.joined(separator: " "),
                         "status=" + reports.map { $0.status?.rawValue ?? "" }.joined(separator: " ")]
            if waited { lines.append("outcome=" + reports.map { $0.final?.outcome?.rawValue ?? "" }.joined(separator: " ")) }
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
