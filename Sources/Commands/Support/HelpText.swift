/// Builds a command's `discussion`: prose, then an EXAMPLES section, then the EXIT STATUS table.
///
/// The headings are a contract with `scripts/gen-docs`, which turns the generate-manual output
/// into man pages: text before the first heading becomes DESCRIPTION, the lines under
/// `EXAMPLES` a literal display in the EXAMPLES section, and `EXIT STATUS` a tagged list.
/// Indented lines inside the prose are shown literally too.
enum HelpText {
    /// - Parameters:
    ///   - prose: what the command does, in plain paragraphs (may be empty).
    ///   - examples: one or more shell lines, unindented; `#` comments explain them.
    /// - Returns: the text `CommandConfiguration(discussion:)` takes.
    static func discussion(_ prose: String = "", examples: String) -> String {
        let indented = examples.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : "  " + $0 }
            .joined(separator: "\n")
        let head = prose.isEmpty ? "" : reflow(prose) + "\n\n"
        return head + "EXAMPLES\n" + indented + "\n\n" + ExitStatus.helpSection
    }

    /// Joins each paragraph's lines into one, so ArgumentParser wraps it at the terminal's width
    /// (80 columns included) instead of breaking the source's hard line ends again; blank lines
    /// and indented (literal) lines are kept as they are.
    static func reflow(_ prose: String) -> String {
        var out: [String] = []
        var paragraph: [String] = []
        func flush() {
            if !paragraph.isEmpty { out.append(paragraph.joined(separator: " ")) }
            paragraph = []
        }
        for line in prose.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix(" ") {
                flush()
                out.append(line)
            } else {
                paragraph.append(line)
            }
        }
        flush()
        return out.joined(separator: "\n")
    }
}
