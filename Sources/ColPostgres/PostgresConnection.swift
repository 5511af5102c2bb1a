// # A connection to PostgreSQL, through libpq
//
// libpq, not a Swift driver: it is Debian's `libpq-dev`, linked like zstd
// (no package to build), and it brings PostgreSQL's own connection
// conventions for free: a URI or key=value string, the `PG*` environment
// variables, `~/.pgpass`, `sslmode` and the service file, exactly as `psql`
// reads them (docs/POSTGRES.md, "Why libpq").
//
// Every call that can fail throws `PostgresError` with the server's message,
// its SQLSTATE and detail. A password given on the command line is refused
// before connecting: it would show in `ps` and in the shell's history.

#if canImport(Glibc)
import Glibc
#endif
import CLibPQ

/// An error connecting to PostgreSQL or running a statement.
public enum PostgresError: Error, Sendable, CustomStringConvertible {
    /// The connection string cannot be used as given.
    case badURI(String)
    /// The server could not be reached, or refused the connection or the login.
    case connection(String)
    /// A statement failed on the server: its message, SQLSTATE and detail.
    case server(statement: String, message: String, sqlState: String, detail: String?)
    /// The target table exists and `--if-exists fail` is in force.
    case tableExists(String)
    /// `--if-exists append` to a table that does not exist, or whose columns do not fit ours.
    case incompatible(table: String, differences: [ColumnDifference])
    /// The load cannot be done as asked.
    case unsupported(String)

    /// The error in words.
    public var description: String {
        switch self {
        case let .badURI(why): return why
        case let .connection(message): return "cannot connect: \(message)"
        case let .server(statement, message, state, detail):
            return "\(statement): \(message) (SQLSTATE \(state))" + (detail.map { "\n  \($0)" } ?? "")
        case let .tableExists(table):
            return "table \(table) exists; --if-exists append adds to it, --if-exists replace replaces it"
        case let .incompatible(table, differences):
            var lines = ["table \(table) does not match the data; nothing was sent:"]
            let width = max(6, differences.map { $0.column.count }.max() ?? 6)
            let oursWidth = max(4, differences.map { ($0.ours ?? "-").count }.max() ?? 4)
            let theirsWidth = max(5, differences.map { ($0.theirs ?? "-").count }.max() ?? 5)
            func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
            lines.append("  " + pad("column", width) + "  " + pad("ours", oursWidth) + "  " + pad("table", theirsWidth) + "  problem")
            for d in differences {
                lines.append("  " + pad(d.column, width) + "  " + pad(d.ours ?? "-", oursWidth) + "  " + pad(d.theirs ?? "-", theirsWidth) + "  " + d.problem)
            }
            return lines.joined(separator: "\n")
        case let .unsupported(why): return why
        }
    }
}

/// One column where a table and the data disagree.
public struct ColumnDifference: Sendable, Equatable {
    /// The column's name.
    public var column: String
    /// Its type in the data (as PostgreSQL would store it), nil when the data lacks it.
    public var ours: String?
    /// Its type in the table, nil when the table lacks it.
    public var theirs: String?
    /// What is wrong.
    public var problem: String
}

/// One open connection (not shared between threads).
final class PostgresConnection {
    private let connection: OpaquePointer

    /// Connects with a URI (`postgresql://user@host:port/db?sslmode=require`) or a `key=value` string;
    /// what it leaves out comes from the `PG*` variables and `~/.pgpass`, as for psql.
    init(_ conninfo: String) throws(PostgresError) {
        var parseError: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &parseError) else {
            let why = parseError.map { String(cString: $0) } ?? "cannot parse it"
            if let parseError { PQfreemem(parseError) }
            throw .badURI("not a PostgreSQL connection string: \(why.trimmingTrailingNewlines())")
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", let value = option.pointee.val, value.pointee != 0 {
                throw .badURI("the connection string holds a password; give it in PGPASSWORD or ~/.pgpass instead (a command line shows in ps and in the shell's history)")
            }
            option += 1
        }
        guard let conn = PQconnectdb(conninfo) else { throw .connection("out of memory") }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(conn)).trimmingTrailingNewlines()
            PQfinish(conn)
            throw .connection(message)
        }
        connection = conn
        // Quiet: the server's NOTICEs (e.g. "table does not exist, skipping") are not ours to print.
        _ = try? execute("SET client_min_messages TO warning")
    }

    deinit { PQfinish(connection) }

    /// Runs a statement; returns its rows as text (nil for NULL).
    @discardableResult
    func execute(_ sql: String, parameters: [String?] = []) throws(PostgresError) -> [[String?]] {
        let result: OpaquePointer?
        if parameters.isEmpty {
            result = PQexec(connection, sql)
        } else {
            let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.flatMap { strdup($0) } }
            defer { for p in copies { free(p) } }
            let values: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
            result = PQexecParams(connection, sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw failure(result, statement: sql) }
        var rows: [[String?]] = []
        let count = PQntuples(result), fields = PQnfields(result)
        for r in 0..<count {
            rows.append((0..<fields).map { f in PQgetisnull(result, r, f) == 1 ? nil : String(cString: PQgetvalue(result, r, f)) })
        }
        return rows
    }

    /// Runs a `COPY … FROM STDIN`; `produce` hands over the data in pieces through `send`.
    func copy(_ sql: String, _ produce: (_ send: ([UInt8]) throws(PostgresError) -> Void) throws -> Void) throws {
        let start = PQexec(connection, sql)
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            defer { PQclear(start) }
            throw failure(start, statement: sql)
        }
        PQclear(start)
        var sendFailed = false
        do {
            try produce { (bytes: [UInt8]) throws(PostgresError) in
                let ok = bytes.withUnsafeBufferPointer { b in
                    b.baseAddress.map { base in
                        base.withMemoryRebound(to: CChar.self, capacity: b.count) { PQputCopyData(connection, $0, Int32(b.count)) }
                    } ?? 1
                }
                guard ok == 1 else {
                    sendFailed = true
                    throw .connection(String(cString: PQerrorMessage(connection)).trimmingTrailingNewlines())
                }
            }
        } catch {
            // End the COPY with an error, so that the server aborts it; then report what failed here.
            if !sendFailed { _ = PQputCopyEnd(connection, "colconv stopped the load") }
            while let r = PQgetResult(connection) { PQclear(r) }
            throw error
        }
        guard PQputCopyEnd(connection, nil) == 1 else {
            throw PostgresError.connection(String(cString: PQerrorMessage(connection)).trimmingTrailingNewlines())
        }
        var problem: PostgresError?
        while let r = PQgetResult(connection) {
            if PQresultStatus(r) != PGRES_COMMAND_OK && problem == nil { problem = failure(r, statement: "COPY") }
            PQclear(r)
        }
        if let problem { throw problem }
    }

    /// The error of a failed result, with the server's fields.
    private func failure(_ result: OpaquePointer?, statement: String) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code.asciiValue ?? 0)) else { return nil }
            return String(cString: value)
        }
        let message = field("M") ?? String(cString: PQerrorMessage(connection)).trimmingTrailingNewlines()
        if PQstatus(connection) != CONNECTION_OK { return .connection(message.isEmpty ? "the connection was lost" : message) }
        let words = statement.split(separator: " ").prefix(3).joined(separator: " ")
        return .server(statement: words, message: message, sqlState: field("C") ?? "?????",
                       detail: [field("D"), field("W").map { "where: \($0)" }].compactMap { $0 }.joined(separator: "; ").nilIfEmpty)
    }

    /// `name` as a quoted identifier: `"a ""b"""`.
    static func quote(_ name: String) -> String {
        "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
        return s
    }

    var nilIfEmpty: String? { isEmpty ? nil : self }

    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
