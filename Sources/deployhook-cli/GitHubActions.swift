#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GitHub Actions step outputs and job summary. Values never hold a hook or a token.
enum GitHubActions {
    /// Appends `build_uuid=`, `status=` (and `outcome=`) to `$GITHUB_OUTPUT`, and a table to `$GITHUB_STEP_SUMMARY`.
    static func record(_ reports: [HookReport], waited: Bool, environment: (String) -> String?) {
        if let path = environment("GITHUB_OUTPUT"), !path.isEmpty {
            var lines = ["build_uuid=" + reports.map { $0.buildUUID ?? "" }.joined(separator: " "),
                         "status=" + reports.map { $0.status?.rawValue ?? "" }.joined(separator: " ")]
            if waited { lines.append("outcome=" + reports.map { $0.final?.outcome?.rawValue ?? "" }.joined(separator: " ")) }
            append(lines.joined(separator: "\n") + "\n", to: path)
        }
        if let path = environment("GITHUB_STEP_SUMMARY"), !path.isEmpty {
            var table = "### deployhook\n\n| hook | build | status |" + (waited ? " outcome |" : "") + " result |\n|---|---|---|" + (waited ? "---|" : "") + "---|\n"
            for report in reports {
                let result = report.error.map { cell($0.message) } ?? (report.triggered?.build.alreadyExists == true ? "already queued" : "triggered")
                table += "| `\(report.hook)` | \(report.buildUUID.map { "`\($0)`" } ?? "–") | \(report.status?.rawValue ?? "–") |"
                if waited { table += " \(report.final?.outcome?.rawValue ?? "–") |" }
                table += " \(result) |\n"
            }
            append(table + "\n", to: path)
        }
    }

    /// Text fit for a Markdown table cell.
    private static func cell(_ text: String) -> String {
        text.replacing("|", with: "\\|").replacing("\n", with: " ")
    }

    private static func append(_ text: String, to path: String) {
        guard let file = fopen(path, "a") else {
            Terminal.err("deployhook-cli: cannot append to \(path)")
            return
        }
        fputs(text, file)
        fclose(file)
    }
}
