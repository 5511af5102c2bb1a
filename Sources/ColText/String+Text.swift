extension String {
    /// The text with `|` escaped for a Markdown table cell.
    package var markdownCell: String { split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|") }

    /// The text without trailing spaces.
    package var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
