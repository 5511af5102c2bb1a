// colprof.toml: roles, thresholds and exclusions in one place (docs/PROFILE.md, "Configuration").

#if canImport(Glibc)
import Glibc
#endif
import ColFormat

/// The drift settings of a `colprof.toml`.
///
/// ```toml
/// fail_on = "fail"          # or "warn"
/// last = 7                  # entries of a history to compare with
/// exclude = ["comment"]     # columns left out
///
/// [thresholds]              # every column
/// "psi.fail" = 0.3
///
/// [columns.order_id]
/// role = "key"
///
/// [columns.delay]
/// thresholds = { "psi.warn" = 0.2, "psi.fail" = 0.4 }
///
/// [columns.note]
/// exclude = true
/// ```
public struct DriftConfig: Sendable {
    /// Where the file was read from.
    public var path: String
    /// The gate's level, when set.
    public var failOn: Severity?
    /// Entries of a history to compare with, when set.
    public var last: Int?
    /// Threshold settings for every column (`metric.level`, value), in order.
    public var thresholds: [(String, Double)] = []
    /// Threshold settings per column.
    public var columnThresholds: [String: [(String, Double)]] = [:]
    /// Roles per column.
    public var roles: [String: ColumnRole] = [:]
    /// Columns left out.
    public var excluded: Set<String> = []

    /// The file a drift against `base` uses when no `--config` is given: `colprof.toml` in the
    /// base's folder (or in the base itself, when it is a folder), if there is one.
    public static func beside(_ base: String) -> String? {
        var st = stat()
        let folder: String
        if stat(base, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR {
            folder = base
        } else if let slash = base.utf8.lastIndex(of: 0x2F) {
            folder = String(base[..<slash])
        } else {
            folder = "."
        }
        let candidate = folder == "." || folder.isEmpty ? "colprof.toml" : folder + "/colprof.toml"
        return stat(candidate, &st) == 0 ? candidate : nil
    }

    /// Reads and validates a configuration file; every error names the line and column.
    public init(path: String) throws(ProfileError) {
        self.path = path
        guard let text = Self.readFile(path) else { throw .notFound(path) }
        let root: TOMLTable
        do { root = try TOMLReader.parse(text) } catch { throw .config(path, error) }
        do { try load(root) } catch { throw .config(path, error) }
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? out : nil }
            out += buffer[0..<n]
            if out.count > 1 << 20 { return nil }
        }
    }

    static func error(_ node: TOMLNode, _ message: String) -> TOMLError {
        TOMLError(line: node.line, column: node.column, message: message)
    }

    static func string(_ node: TOMLNode, _ key: String) throws(TOMLError) -> String {
        guard case let .string(s) = node.value else { throw error(node, "\(key) must be a string, not \(node.value.kind)") }
        return s
    }

    static func thresholdList(_ node: TOMLNode, _ key: String) throws(TOMLError) -> [(String, Double)] {
        guard case let .table(t) = node.value else { throw error(node, "\(key) must be a table of metric.level = number") }
        var out: [(String, Double)] = []
        for (name, n) in flatten(t) {
            let v: Double
            switch n.value {
            case let .integer(i): v = Double(i)
            case let .float(d) where d.isFinite: v = d
            default: throw error(n, "the threshold \(name) must be a finite number, not \(n.value.kind)")
            }
            var probe = DriftThresholds()
            do { try probe.set("\(name)=\(v)") } catch { throw Self.error(n, error.description) }
            out.append((name, v))
        }
        return out
    }

    /// `psi = { fail = 0.3 }` and `psi.fail = 0.3` and `"psi.fail" = 0.3` all name `psi.fail`.
    static func flatten(_ t: TOMLTable, prefix: String = "") -> [(String, TOMLNode)] {
        var out: [(String, TOMLNode)] = []
        for (key, node) in t.entries {
            let name = prefix.isEmpty ? key : prefix + "." + key
            if case let .table(sub) = node.value { out += flatten(sub, prefix: name) } else { out.append((name, node)) }
        }
        return out
    }

    mutating func load(_ root: TOMLTable) throws(TOMLError) {
        for (key, node) in root.entries {
            switch key {
            case "fail_on":
                switch try Self.string(node, key) {
                case "fail": failOn = .fail
                case "warn": failOn = .warn
                default: throw Self.error(node, "fail_on is \"fail\" or \"warn\"")
                }
            case "last":
                guard case let .integer(n) = node.value, n >= 1, n <= 1 << 20 else { throw Self.error(node, "last must be a whole number of 1 or more") }
                last = Int(n)
            case "exclude":
                guard case let .array(items) = node.value else { throw Self.error(node, "exclude must be an array of column names") }
                for item in items { excluded.insert(try Self.string(item, "each excluded column")) }
            case "thresholds":
                thresholds = try Self.thresholdList(node, key)
            case "columns":
                guard case let .table(columns) = node.value else { throw Self.error(node, "columns must be a table of [columns.NAME] tables") }
                for (name, c) in columns.entries {
                    guard case let .table(settings) = c.value else { throw Self.error(c, "columns.\(name) must be a table") }
                    for (k, v) in settings.entries {
                        switch k {
                        case "role":
                            let text = try Self.string(v, "role")
                            guard let role = ColumnRole(name: text) else {
                                throw Self.error(v, "unknown role '\(text)' (\(ColumnRole.allCases.map(\.description).joined(separator: ", ")))")
                            }
                            roles[name] = role
                        case "exclude":
                            guard case let .bool(b) = v.value else { throw Self.error(v, "exclude must be true or false") }
                            if b { excluded.insert(name) }
                        case "thresholds":
                            columnThresholds[name] = try Self.thresholdList(v, "columns.\(name).thresholds")
                        default:
                            throw Self.error(v, "unknown key '\(k)' in columns.\(name) (role, exclude, thresholds)")
                        }
                    }
                }
            default:
                throw Self.error(node, "unknown key '\(key)' (fail_on, last, exclude, thresholds, columns)")
            }
        }
    }
}
