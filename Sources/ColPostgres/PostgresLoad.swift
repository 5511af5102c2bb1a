// # Loading a .col file into a PostgreSQL table
//
// The transaction design (docs/POSTGRES.md): everything happens in one
// transaction, so a failure, or a kill of colconv at any point, leaves the
// target table as it was. The server rolls back the transaction of a
// connection that goes away, and a table created inside it goes with it.
//
// - `fail` (the default): the table must not exist. It is created and filled
//   in the transaction, and appears at commit.
// - `replace`: a staging table, created in the transaction next to the
//   target, is filled; then the target is dropped and the staging table
//   renamed to it, and the commit makes the swap visible at once.
// - `append`: the table's columns are checked against ours (by name, and
//   by type: ours must cast to theirs without loss) before anything is sent.
//   The rows go to a temporary staging table (dropped at commit), then into
//   the target in one `INSERT … SELECT`.
//
// Rows travel in the binary COPY format, one chunk at a time, so memory
// holds one chunk's columns and a buffer of about 1 MiB.

#if canImport(Glibc)
import Glibc
#endif
import ColFormat

/// What to do when the target table exists.
public enum IfExists: String, Sendable, CaseIterable {
    case fail, append, replace
}

/// How to load.
public struct PostgresLoadOptions: Sendable {
    /// The target table: `name` or `schema.name` (each part as written; quote a dot inside a name with `"…"`).
    public var table: String
    /// What to do when the table exists.
    public var ifExists: IfExists = .fail
    /// Declare NOT NULL on a new table's columns that have no nulls in the data.
    public var notNullFromData = false

    /// Options for `table`.
    public init(table: String) { self.table = table }
}

/// What a load did.
public struct PostgresLoadSummary: Sendable {
    /// Rows sent.
    public var rows: UInt64 = 0
    /// Bytes of the binary COPY stream.
    public var bytes: UInt64 = 0
    /// The table, quoted as sent.
    public var table = ""
    /// What happened to it: created, replaced, or appended to.
    public var action = ""
}

/// Loads .col files into PostgreSQL.
public enum PostgresLoader {
    /// Loads every row of `reader` into `options.table` over `conninfo`, in one transaction.
    /// `progress` is called after each chunk with the rows sent so far.
    public static func load(_ reader: ColFileReader, into conninfo: String, options: PostgresLoadOptions,
                            progress: (UInt64) -> Void = { _ in }) throws -> PostgresLoadSummary {
        guard !reader.isSnapshot else { throw ColFileError.snapshotHasNoData(path: reader.path) }
        let target = try TableName(options.table)
        let connection = try PostgresConnection(conninfo)
        let columns = reader.schema.columns
        let types = columns.map { PostgresType($0.type) }
        let existing = try existingColumns(connection, target)
        var summary = PostgresLoadSummary()
        summary.table = target.quoted
        switch (existing, options.ifExists) {
        case (.some, .fail): throw PostgresError.tableExists(target.quoted)
        case (nil, .append):
            throw PostgresError.incompatible(table: target.quoted, differences: [
                ColumnDifference(column: "*", ours: nil, theirs: nil, problem: "the table does not exist (--if-exists append adds to an existing table)"),
            ])
        case let (.some(theirs), .append):
            let differences = compare(columns.map(\.name), types, theirs)
            guard differences.isEmpty else { throw PostgresError.incompatible(table: target.quoted, differences: differences) }
        default: break
        }
        let names = columns.map { PostgresConnection.quote($0.name) }
        let definitions = columns.indices.map { j in
            PostgresConnection.quote(columns[j].name) + " " + types[j].rawValue
                + (options.notNullFromData && reader.statistics[j].nullCount == 0 ? " NOT NULL" : "")
        }.joined(separator: ", ")
        try connection.execute("BEGIN")
        let stage: String
        switch options.ifExists {
        case .fail:
            stage = target.quoted
            try connection.execute("CREATE TABLE \(target.quoted) (\(definitions))")
            summary.action = "created"
        case .replace:
            stage = target.sibling("_colconv_stage_\(getpid())")
            try connection.execute("CREATE TABLE \(stage) (\(definitions))")
            summary.action = existing == nil ? "created" : "replaced"
        case .append:
            stage = PostgresConnection.quote("_colconv_stage_\(getpid())")
            try connection.execute("CREATE TEMPORARY TABLE \(stage) (\(definitions)) ON COMMIT DROP")
            summary.action = "appended to"
        }
        // One thread decodes chunks and encodes rows into buffers of about 4 MiB; this one sends them.
        let pipe = CopyPipe()
        let limit = 4 << 20
        let started = startThread {
            var buffer = pipe.buffer()
            buffer += BinaryCopy.header
            var encoded: UInt64 = 0
            do {
                for chunk in 0..<reader.directory.chunkCount {
                    let vectors = try columns.indices.map { try reader.readColumn(chunk: chunk, column: $0) }
                    let rows = Int(reader.directory.chunkRowCounts[chunk])
                    var start = 0
                    while start < rows {
                        let end = min(rows, start + 4096)
                        do throws(BinaryCopy.OutOfRange) { try BinaryCopy.appendRows(start..<end, of: vectors, to: &buffer) } catch {
                            let row = reader.directory.chunkFirstRows[chunk] + UInt64(error.row)
                            throw PostgresError.unsupported("row \(row + 1), column \(columns[error.column].name): the \(error.what) is outside PostgreSQL's range")
                        }
                        encoded += UInt64(end - start)
                        if buffer.count >= limit {
                            guard pipe.put(.data(buffer, rows: encoded)) else { return }
                            buffer = pipe.buffer()
                        }
                        start = end
                    }
                }
                buffer += BinaryCopy.trailer
                guard pipe.put(.data(buffer, rows: encoded)) else { return }
                _ = pipe.put(.finished)
            } catch {
                _ = pipe.put(.failed(error))
            }
        }
        guard started else { throw PostgresError.unsupported("cannot start a thread to encode the rows") }
        do {
            try connection.copy("COPY \(stage) (\(names.joined(separator: ", "))) FROM STDIN (FORMAT binary)") { send in
                while true {
                    switch pipe.take() {
                    case let .data(bytes, rows):
                        summary.bytes += UInt64(bytes.count)
                        try send(bytes)
                        pipe.recycle(bytes)
                        summary.rows = rows
                        progress(rows)
                    case let .failed(error): throw error
                    case .finished: return
                    }
                }
            }
        } catch {
            pipe.stop()
            throw error
        }
        switch options.ifExists {
        case .fail: break
        case .replace:
            if existing != nil { try connection.execute("DROP TABLE \(target.quoted)") }
            try connection.execute("ALTER TABLE \(stage) RENAME TO \(PostgresConnection.quote(target.name))")
        case .append:
            try connection.execute("INSERT INTO \(target.quoted) (\(names.joined(separator: ", "))) SELECT \(names.joined(separator: ", ")) FROM \(stage)")
        }
        try connection.execute("COMMIT")
        return summary
    }

    /// A table's columns, in order: name, type as `format_type` prints it, NOT NULL, has a default; nil when there is no such table.
    static func existingColumns(_ connection: PostgresConnection, _ table: TableName) throws(PostgresError)
        -> [(name: String, type: String, notNull: Bool, hasDefault: Bool)]? {
        let found = try connection.execute("SELECT to_regclass($1)::oid", parameters: [table.quoted])
        guard let row = found.first, let oid = row.first ?? nil else { return nil }
        let rows = try connection.execute("""
            SELECT attname, format_type(atttypid, atttypmod), attnotnull, atthasdef OR attidentity <> '' OR attgenerated <> ''
            FROM pg_attribute WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum
            """, parameters: [oid])
        return rows.map { r in (r[0] ?? "", r[1] ?? "", r[2] == "t", r[3] == "t") }
    }

    /// The types each of ours may be appended to: a cast without loss.
    static func accepts(_ ours: PostgresType, _ theirs: String) -> Bool {
        let t = theirs.lowercased()
        switch ours {
        case .bigint: return t == "bigint" || t.hasPrefix("numeric") || t == "double precision"
        case .doublePrecision: return t == "double precision" || t.hasPrefix("numeric") && !t.contains(",")
        case .boolean: return t == "boolean"
        case .text: return t == "text" || t == "character varying" || t == "citext"
        case .date: return t == "date" || t.hasPrefix("timestamp")
        case .timestamptz: return t == "timestamp with time zone"
        case .jsonb: return t == "jsonb" || t == "json"
        }
    }

    /// The differences between our columns and a table's, by name.
    static func compare(_ names: [String], _ types: [PostgresType], _ theirs: [(name: String, type: String, notNull: Bool, hasDefault: Bool)])
        -> [ColumnDifference] {
        var out: [ColumnDifference] = []
        for (name, type) in zip(names, types) {
            guard let t = theirs.first(where: { $0.name == name }) else {
                out.append(ColumnDifference(column: name, ours: type.name, theirs: nil, problem: "not in the table"))
                continue
            }
            if !accepts(type, t.type) {
                out.append(ColumnDifference(column: name, ours: type.name, theirs: t.type, problem: "\(type.name) does not fit \(t.type)"))
            }
        }
        for t in theirs where !names.contains(t.name) && t.notNull && !t.hasDefault {
            out.append(ColumnDifference(column: t.name, ours: nil, theirs: t.type, problem: "NOT NULL without a default, and not in the data"))
        }
        return out
    }
}

/// A table's name, `name` or `schema.name`, quoted for SQL.
struct TableName {
    let schema: String?
    let name: String

    init(_ text: String) throws(PostgresError) {
        var parts: [String] = []
        var current = ""
        var quoted = false
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            if ch == "\"" {
                if quoted && i + 1 < chars.count && chars[i + 1] == "\"" { current.append("\""); i += 2; continue }
                quoted.toggle()
            } else if ch == "." && !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
            i += 1
        }
        parts.append(current)
        guard !quoted, (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
            throw .unsupported("--table takes name or schema.name (\"…\" around a name with a dot), not '\(text)'")
        }
        schema = parts.count == 2 ? parts[0] : nil
        name = parts[parts.count - 1]
    }

    var quoted: String { (schema.map { PostgresConnection.quote($0) + "." } ?? "") + PostgresConnection.quote(name) }

    /// Another table in the same schema.
    func sibling(_ other: String) -> String { (schema.map { PostgresConnection.quote($0) + "." } ?? "") + PostgresConnection.quote(other) }
}
