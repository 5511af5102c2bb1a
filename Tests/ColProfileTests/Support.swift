import ColFormat
import ColIngest
import ColProfile
import Foundation
import TestSupport



/// What to plant in a generated table.
struct Plant: OptionSet {
    let rawValue: Int
    static let meanShift = Plant(rawValue: 1)
    static let newCategory = Plant(rawValue: 2)
    static let moreNulls = Plant(rawValue: 4)
    static let typeChange = Plant(rawValue: 8)
    static let removedColumn = Plant(rawValue: 16)
}

/// The generated table and its exact aggregates.
struct Table {
    var header: [String]
    var rows: [[String]]

    var csv: String {
        ([header.joined(separator: ",")] + rows.map { $0.joined(separator: ",") }).joined(separator: "\n") + "\n"
    }

    func column(_ name: String) -> [String] {
        guard let j = header.firstIndex(of: name) else { return [] }
        return rows.map { $0[j] }
    }
}

/// Columns: id (unique ints), score (normal, mean 50, sd 10), city (20 values), amount (10% empty),
/// qty (1–12), code (about 4,000 values), tag (unique text).
/// `id` counts up from `firstID`: a sequential key, as in consecutive extracts of one table.
func makeTable(rows: Int, seed: UInt64, plant: Plant = [], firstID: Int = 0) -> Table {
    var g = SeededRandom(seed: seed)
    var header = ["id", "score", "city", "amount", "qty", "code", "tag"]
    var out: [[String]] = []
    for i in 0..<rows {
        let shift = plant.contains(.meanShift) ? 10.0 : 0
        let score = String(format: "%.3f", 50 + 10 * g.gauss() + shift)
        var city = "city_\(g.int(0...19))"
        if plant.contains(.newCategory) && g.uniform() < 0.1 { city = "atlantis" }
        let nullShare = plant.contains(.moreNulls) ? 0.2 : 0.1
        let amount = g.uniform() < nullShare ? "" : String(format: "%.2f", g.uniform() * 1000)
        var qty = String(g.int(1...12))
        if plant.contains(.typeChange) && i % 50 == 7 { qty = "many" }
        let code = "\(["A", "B", "C", "D"][g.int(0...3)])\(g.int(0...999))"
        let tag = "t\(seed)-\(i)-\(g.next() % 1000)"
        out.append(["\(firstID + i)", score, city, amount, qty, code, tag])
    }
    if plant.contains(.removedColumn) {
        header.remove(at: 5)
        for k in out.indices { out[k].remove(at: 5) }
    }
    return Table(header: header, rows: out)
}

/// Writes the table as CSV and converts it; returns the .col path.
@discardableResult
func write(_ table: Table, to scratch: Scratch, name: String, chunkRows: Int = 65536) throws -> String {
    let csv = scratch.file(name + ".csv")
    try table.csv.write(toFile: csv, atomically: true, encoding: .utf8)
    var o = ConversionOptions()
    o.chunkRows = chunkRows
    let col = scratch.file(name + ".col")
    _ = try CSVConverter.convert(input: csv, output: col, options: o)
    return col
}

/// What to do to one day of `makeDay`.
enum DayShape {
    case ordinary
    /// The day's times are in random order (as in a file sorted by another column).
    case shuffled
}

/// One day of events: `id` (a sequential key continuing from the day before), `at` (the event
/// time, sorted unless shuffled), `day` (the date: a partition), `carrier` (4 values),
/// `delay` (normal), `ref` (unique text, an identifier) and `dom` (the day of the month, an
/// int64 partition, as in the flight data of issue 16).
func makeDay(_ day: Int, rows: Int = 8_000, seed: UInt64, shape: DayShape = .ordinary, firstID: Int? = nil,
             refPrefix: String? = nil) -> String {
    var g = SeededRandom(seed: seed)
    let startOfDay = 1_796_083_200 + day * 86_400  // 2026-12-01T00:00:00Z + day
    var times = (0..<rows).map { _ in startOfDay + 5 * 3600 + g.int(0...(18 * 3600)) }
    if shape == .ordinary { times.sort() }
    let first = firstID ?? day * rows
    let date = String(format: "2026-12-%02d", day + 1)
    var out = "id,at,day,carrier,delay,ref,dom\n"
    for i in 0..<rows {
        let t = times[i]
        let h = (t % 86_400) / 3600, m = (t % 3600) / 60, s = t % 60
        let at = "\(date)T" + String(format: "%02d:%02d:%02dZ", h, m, s)
        let carrier = ["AA", "DL", "UA", "WN"][g.int(0...3)]
        let delay = String(format: "%.1f", 10 + 25 * g.gauss())
        let ref = "\(refPrefix ?? "r\(seed)")-\(i)-\(g.next() % 100_000)"
        out += "\(first + i),\(at),\(date),\(carrier),\(delay),\(ref),\(day + 1)\n"
    }
    return out
}

/// Writes CSV text and converts it in chunks of `chunkRows`; returns the .col path.
@discardableResult
func convert(_ csv: String, to scratch: Scratch, name: String, chunkRows: Int = 2_000) throws -> String {
    let path = scratch.file(name + ".csv")
    try csv.write(toFile: path, atomically: true, encoding: .utf8)
    var o = ConversionOptions()
    o.chunkRows = chunkRows
    let col = scratch.file(name + ".col")
    _ = try CSVConverter.convert(input: path, output: col, options: o)
    return col
}
