/// What the CLI does to text before it prints or records it, since much of it comes from a server
/// (build UUIDs, timestamps, messages, log lines, preview URLs, cf-ray). Every output goes through here:
/// terminal lines (`line`, applied by `Terminal` to everything it writes), step summary cells
/// (`markdownCell`) and JSON strings (`JSONValue`, which escapes what `isControl` names). Fields that must
/// be a UUID are checked by the library, which refuses an answer where they are not.
enum SafeText {
    /// What replaces a control character in printed text, visibly: U+FFFD REPLACEMENT CHARACTER.
    static let replacement: Unicode.Scalar = "\u{FFFD}"

    /// C0 controls (tab, CR and LF included), DEL, C1 controls, and the Unicode line and paragraph
    /// separators: what may move the cursor, start a line or drive a terminal.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }

    /// `text` as one printable line: each control character becomes U+FFFD, and no GitHub Actions
    /// workflow command is left in it (see `breakWorkflowCommands`).
    static func line(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) || $0 == ":" || $0 == "#" }) else { return text }
        var scalars = text.unicodeScalars.map { isControl($0) ? replacement : $0 }
        breakWorkflowCommands(&scalars)
        var safe = String.UnicodeScalarView()
        safe.append(contentsOf: scalars)
        return String(safe)
    }

    /// `text` for one cell of a Markdown table (the step summary): `line(text)` with every ASCII
    /// punctuation character backslash-escaped, so it can open no column (`|`), link, image, HTML tag,
    /// code span, emphasis or entity.
    static func markdownCell(_ text: String) -> String {
        var cell = String.UnicodeScalarView()
        for scalar in line(text).unicodeScalars {
            if scalar.isASCII && (0x21...0x2F ~= scalar.value || 0x3A...0x40 ~= scalar.value
                                  || 0x5B...0x60 ~= scalar.value || 0x7B...0x7E ~= scalar.value) {
                cell.append("\\")
            }
            cell.append(scalar)
        }
        return String(cell)
    }

    /// The GitHub Actions runner reads a printed line as a workflow command (`set-output`, `add-mask`...)
    /// when, after leading blanks, it starts with `::`, or when it holds `##[` anywhere. Each such marker
    /// loses its first character to U+FFFD. Invisible (default-ignorable) characters between a marker's
    /// characters do not hide it, as the runner may compare text by culture, which skips them.
    private static func breakWorkflowCommands(_ scalars: inout [Unicode.Scalar]) {
        let visible = scalars.indices.filter { !scalars[$0].properties.isDefaultIgnorableCodePoint }
        if let first = visible.firstIndex(where: { !scalars[$0].properties.isWhitespace }), first + 1 < visible.count,
           scalars[visible[first]] == ":", scalars[visible[first + 1]] == ":" {
            scalars[visible[first]] = replacement
        }
        for index in visible.indices.dropLast(2)
        where scalars[visible[index]] == "#" && scalars[visible[index + 1]] == "#" && scalars[visible[index + 2]] == "[" {
            scalars[visible[index]] = replacement
        }
    }
}
