import ColIngest
import ColProfile

/// How the command line names the libraries' settings in messages.
package enum FlagNames {
    /// The flag behind a conversion setting, as the user typed it.
    @Sendable package static func flag(_ setting: IngestSetting) -> String {
        switch setting {
        case .maxFieldBytes: "--max-field-bytes"
        case .maxNesting: "--max-nesting"
        case .maxDepth: "--max-depth"
        case .maxColumns: "--max-columns"
        case .invalidUTF8Replace: "--invalid-utf8 replace"
        case .schema: "--schema"
        case .flattenSeparator: "--flatten-separator"
        }
    }

    /// A profile error in the words of the command line.
    static func describe(_ e: ProfileError) -> String {
        switch e {
        case let .unknownColumn(name, columns):
            return "--columns names '\(name)', which is not a column (\(columns.joined(separator: ", ")))"
        case let .malformedThreshold(text):
            return "--threshold takes metric.level=value, e.g. psi.fail=0.3; got '\(text)'"
        default:
            return e.description
        }
    }
}
