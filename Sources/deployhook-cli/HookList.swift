/// A list of hooks, one a line, as `-` reads it from standard input (typically a file: `< hooks.txt`).
enum HookList {
    /// The hooks among `lines` (called until nil): each line trimmed of spaces, tabs and a carriage
    /// return; blank lines and lines starting with `#` skipped. One UTF-8 byte-order mark (U+FEFF) at
    /// the very start of the list is skipped, as Windows editors write one; anywhere else it stays
    /// part of its line (and makes that hook invalid).
    static func read(_ lines: () -> String?) -> [String] {
        var hooks: [String] = []
        var atStart = true
        while var line = lines() {
            if atStart, line.unicodeScalars.first == "\u{FEFF}" { line = String(line.unicodeScalars.dropFirst()) }
            atStart = false
            let hook = line.trimmingCharacters(in: " \t\r")
            if !hook.isEmpty && !hook.hasPrefix("#") { hooks.append(hook) }
        }
        return hooks
    }
}

extension String {
    /// The text without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        guard let first = firstIndex(where: { !characters.contains($0) }),
              let last = lastIndex(where: { !characters.contains($0) }) else { return "" }
        return String(self[first...last])
    }
}
