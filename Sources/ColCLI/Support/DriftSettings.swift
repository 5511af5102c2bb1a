import ColFormat
import ColProfile

/// The settings of a drift check, in the order they apply: the defaults, then `colprof.toml`
/// (given, or beside the baseline), then the command line, which always wins. `colprof drift`
/// and `colconv … --gate` read them the same way.
struct DriftSettings {
    /// The configuration file read, if any.
    let file: DriftConfig?
    /// The severity that fails the gate.
    let failOn: Severity
    /// Every column's thresholds, and those set per column.
    let thresholds: DriftThresholds
    let columnThresholds: [String: DriftThresholds]
    /// Roles declared in the file or on the command line.
    let roles: [String: ColumnRole]
    /// Columns left out.
    let excluded: Set<String>

    init(base: String, config: String?, failOn: String?, thresholds overrides: [String], roles roleOverrides: [String],
         excluded commandLine: Set<String>) throws {
        let file = try (config ?? DriftConfig.beside(base)).map { path throws(ProfileError) in try DriftConfig(path: path) }
        self.file = file
        let gateName = failOn ?? file?.failOn?.description ?? "fail"
        guard let gate: Severity = gateName == "fail" ? .fail : gateName == "warn" ? .warn : nil else {
            throw UsageError("--fail-on takes fail or warn")
        }
        self.failOn = gate
        var thresholds = DriftThresholds()
        for (name, value) in file?.thresholds ?? [] { try thresholds.set("\(name)=\(value)") }
        for t in overrides { try thresholds.set(t) }
        self.thresholds = thresholds
        var columnThresholds: [String: DriftThresholds] = [:]
        for (column, settings) in file?.columnThresholds ?? [:] {
            var t = DriftThresholds()
            for (name, value) in (file?.thresholds ?? []) + settings { try t.set("\(name)=\(value)") }
            for setting in overrides { try t.set(setting) }
            columnThresholds[column] = t
        }
        self.columnThresholds = columnThresholds
        roles = (file?.roles ?? [:]).merging(try Drift.roleOverrides(roleOverrides)) { _, commandLine in commandLine }
        excluded = commandLine.union(file?.excluded ?? [])
    }

    /// The columns to compare: `only` (nil for all of either side's), less the excluded ones; nil for every column.
    func columns(_ base: Dataset, _ new: Dataset? = nil, only: [String]?) -> Set<String>? {
        guard only != nil || !excluded.isEmpty else { return nil }
        let names = only ?? (base.columns + (new?.columns ?? [])).map(\.name)
        return Set(names.filter { !excluded.contains($0) })
    }
}
