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
        let head = prose.isEmpty ? "" : prose + "\n\n"
        return head + "EXAMPLES\n" + indented + "\n\n" + ExitStatus.helpSection
    }
}
