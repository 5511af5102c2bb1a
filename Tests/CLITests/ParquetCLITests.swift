import Foundation
import TestSupport
import Testing

/// Parquet written by colconv, read back by pyarrow, DuckDB and Polars (pip-installed by
/// scripts/peer_read_parquet.py when missing): every value must equal what our own reader
/// gives, in every type.
@Suite("Parquet export, read by pyarrow, DuckDB and Polars")
struct ParquetCLITests {
    static let scalarTypes = "id:int64,i:int64,f:float64,b:bool,s:string,d:date,t:timestamp,n:null,w:float64"

    /// Runs the peer readers on `parquet` against `reference` (our NDJSON export of the same .col file).
    func peersRead(_ parquet: String, _ reference: String, types: String, in dir: String) throws {
        let r = try CLI.runProcess("/usr/bin/env", ["python3", "\(CLI.root)/scripts/peer_read_parquet.py", parquet, reference, "--types", types],
                                   in: dir)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        for reader in ["pyarrow", "duckdb", "polars"] { #expect(r.stdout.contains("\(reader): "), "\(r.stdout)") }
    }

    @Test("every type, with nulls, NaN, ±0, Int64.min and max, empty and multi-byte strings, an all-null column and widened chunks", arguments: [
        ("every-type.csv", ["--chunk-rows", "3", "--schema", "s:string"], scalarTypes),
        ("json.ndjson", ["--max-depth", "1"], "id:int64,j:json"),
        // Dictionary pages: repeated values of every type with nulls (text with empty and multi-byte
        // strings; Int64 extremes; ±0, NaN and 1e308; dates and timestamps before 1970), in 4 chunks.
        ("categories.csv", ["--chunk-rows", "64"],
         "id:int64,city:string,status:string,note:string,qty:int64,score:float64,day:date,at:timestamp"),
    ])
    func everyType(fixture: String, options: [String], types: String) throws {
        let s = Scratch()
        try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/parquet/\(fixture)", toPath: s.file(fixture))
        var r = try CLI.run("colconv", [fixture, "data.col", "-q"] + options, in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLI.run("colconv", ["data.col", "data.parquet", "-q"], in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLI.run("colconv", ["data.col", "reference.ndjson", "-q"], in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        try peersRead("data.parquet", "reference.ndjson", types: types, in: s.path)
        // Straight from the source, uncompressed: the same values, and no staging file left beside it.
        r = try CLI.run("colconv", [fixture, "direct.parquet", "-q", "--codec", "none"] + options, in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        try peersRead("direct.parquet", "reference.ndjson", types: types, in: s.path)
        #expect(s.entries.filter { $0.hasPrefix(".") }.isEmpty, "\(s.entries)")
    }

    @Test("a Parquet export that cannot be written leaves nothing, and lz4 is refused by name")
    func failures() throws {
        let s = Scratch()
        try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/parquet/every-type.csv", toPath: s.file("e.csv"))
        var r = try CLI.run("colconv", ["e.csv", "missing/out.parquet", "-q"], in: s.path)
        #expect(r.status == 2)
        r = try CLI.run("colconv", ["e.csv", "out.parquet", "-q", "--codec", "lz4"], in: s.path)
        #expect(r.status == 2 && r.stderr.contains("Parquet is written with --codec zstd (the default) or none"), "\(r.stderr)")
        #expect(s.entries == ["e.csv"], "\(s.entries)")
    }

    @Test("DuckDB sees our statistics in parquet_metadata() and skips row groups by them")
    func duckdbPrunes() throws {
        let s = Scratch()
        try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/demo/orders.csv", toPath: s.file("orders.csv"))
        // 10 chunks of 500 rows, sorted by order_id: order_id >= 104700 is in the last one only.
        let r = try CLI.run("colconv", ["orders.csv", "orders.parquet", "-q", "--chunk-rows", "500"], in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        let check = try CLI.runProcess("/usr/bin/env", ["python3", "\(CLI.root)/scripts/duckdb_prune_check.py", "orders.parquet", "order_id", "104700", "1"],
                                       in: s.path)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("count 300; row groups scanned 1 of 10"), "\(check.stdout)")
    }

    @Test("import: Parquet written by pyarrow, DuckDB and Polars (defaults; snappy, gzip, brotli, zstd, LZ4, LZ4_RAW, uncompressed; PLAIN, dictionary, DELTA_*, BYTE_STREAM_SPLIT; pages v1 and v2; small pages and row groups) imports with the values they read")
    func importPeers() throws {
        let s = Scratch()
        let types = "id:int64,city:string,status:string,note:string,qty:int64,score:float64,day:date,at:timestamp"
        try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/parquet/categories.csv", toPath: s.file("categories.csv"))
        var r = try CLI.run("colconv", ["categories.csv", "source.parquet", "-q", "--chunk-rows", "64"], in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        try FileManager.default.createDirectory(atPath: s.file("peers"), withIntermediateDirectories: true)
        let written = try CLI.runProcess("/usr/bin/env", ["python3", "\(CLI.root)/scripts/peer_write_parquet.py", "source.parquet", "peers"], in: s.path)
        #expect(written.status == 0, "\(written.stderr)")
        let files = written.stdout.split(separator: "\n").map(String.init)
        #expect(files.count == 23, "\(written.stdout)")
        for file in files {
            let col = String(file.dropLast(".parquet".count))
            r = try CLI.run("colconv", [file, col + ".col", "-q"], in: s.path)
            #expect(r.status == 0, "\(file): \(r.stderr)")
            r = try CLI.run("colconv", [col + ".col", col + ".ndjson", "-q"], in: s.path)
            #expect(r.status == 0, "\(file): \(r.stderr)")
            try peersRead(file, col + ".ndjson", types: types, in: s.path)
        }
        // The round trip CSV → Parquet → .col gives the fingerprint and values of CSV → .col.
        r = try CLI.run("colconv", ["categories.csv", "direct.col", "-q", "--chunk-rows", "64"], in: s.path)
        #expect(r.status == 0)
        r = try CLI.run("colconv", ["source.parquet", "roundtrip.col", "-q"], in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        let a = try CLI.run("colprof", ["direct.col", "--json"], in: s.path), b = try CLI.run("colprof", ["roundtrip.col", "--json"], in: s.path)
        let fingerprint = { (json: String) in json.split(separator: "\n").first { $0.contains("\"schema_fingerprint\"") }.map(String.init) }
        #expect(fingerprint(a.stdout) != nil && fingerprint(a.stdout) == fingerprint(b.stdout))
        let x = try CLI.run("colconv", ["direct.col", "-", "--to", "ndjson", "-q"], in: s.path)
        let y = try CLI.run("colconv", ["roundtrip.col", "-", "--to", "ndjson", "-q"], in: s.path)
        #expect(x.stdout == y.stdout && !x.stdout.isEmpty)
    }

    @Test("import: every logical type pyarrow writes (DECIMAL, TIME, FLOAT16, UUID, fixed binary, INT96, local timestamps) and nested columns (lists, maps, structs) read as pyarrow reads them")
    func importTypesAndNesting() throws {
        let s = Scratch()
        let w = try CLI.runProcess("/usr/bin/env", ["python3", "\(CLI.root)/scripts/peer_write_types.py", "."], in: s.path)
        #expect(w.status == 0, "\(w.stderr)")
        for file in ["types", "types-v2", "int96"] {
            let r = try CLI.run("colconv", ["\(file).parquet", "\(file).col"], in: s.path)
            #expect(r.status == 0, "\(file): \(r.stderr)")
            if file == "int96" {
                #expect(r.stderr.contains("column local: INT96 (legacy timestamps: Julian day and nanoseconds) read as UTC microseconds"), "\(r.stderr)")
            } else {
                for note in ["column local: a timestamp without time zone (isAdjustedToUTC = false), taken as UTC",
                             "column fixed: FIXED_LEN_BYTE_ARRAY(3) without an annotation, imported as hex text",
                             "column map: a map, imported as json", "column list_struct: a list, imported as json"] {
                    #expect(r.stderr.contains(note), "\(file): \(note)")
                }
            }
            let e = try CLI.run("colconv", ["\(file).col", "\(file).ndjson", "-q"], in: s.path)
            #expect(e.status == 0, "\(e.stderr)")
            let c = try CLI.runProcess("/usr/bin/env", ["python3", "\(CLI.root)/scripts/parquet_compare.py", "\(file).parquet", "\(file).ndjson"], in: s.path)
            #expect(c.status == 0, "\(file): \(c.stdout)\(c.stderr)")
        }
        // The shapes, pinned: a struct flattens to dotted columns; lists, maps and lists of structs are json.
        let row = try CLI.run("colconv", ["types.col", "-", "--to", "ndjson", "-q"], in: s.path).stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(row == #"{"dec":1.25,"big":"12345678901234567890.1234","t32":"01:02:03.456","t64":"00:00:00.000001","half":1.5,"fixed":"616263","id":"00000000-0000-0000-0000-000000000001","list":[1,null,3],"nested":[[1],[]],"map":{"a":1,"b":null},"struct.x":1,"struct.y":"a","deep.s.v":1.5,"list_struct":[{"k":1,"d":"2024-01-02"},null],"local":"1970-01-01T00:00:00Z"}"#, "\(row)")
        // Parquet straight to NDJSON and CSV gives what Parquet → .col → NDJSON and CSV give.
        for format in ["ndjson", "csv"] {
            let direct = try CLI.run("colconv", ["types.parquet", "-", "--to", format, "-q"], in: s.path)
            let through = try CLI.run("colconv", ["types.col", "-", "--to", format, "-q"], in: s.path)
            #expect(direct.status == 0 && direct.stdout == through.stdout && !direct.stdout.isEmpty, "\(direct.stderr)")
        }
        #expect(s.entries.allSatisfy { !$0.hasPrefix(".") }, "\(s.entries)")
        let types = try CLI.run("colprof", ["types.col", "--json"], in: s.path).stdout
        for (name, type) in [("dec", "float64"), ("big", "string"), ("t32", "string"), ("half", "float64"), ("list", "json"), ("struct.x", "int64")] {
            #expect(types.contains("\"name\": \"\(name)\",\n      \"type\": \"\(type)\""), "\(name)")
        }
    }

    @Test("1M rows: our export, straight from CSV, reads back value for value in pyarrow, DuckDB and Polars, and imports back to the same values")
    func millionRows() throws {
        let s = Scratch()
        let gen = try CLI.runProcess("/usr/bin/env", ["python3", "\(CLI.root)/bench/gen.py", "1000000", "m.csv"], in: s.path)
        #expect(gen.status == 0, "\(gen.stderr)")
        for args in [["m.csv", "m.parquet", "-q"], ["m.csv", "m.col", "-q"], ["m.col", "m.ndjson", "-q"]] {
            let r = try CLI.run("colconv", args, in: s.path)
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        let types = "seq:int64,rand_int:int64,maybe_int:int64,price:float64,ratio:float64,flag:bool,city:string,customer:string,"
            + "uuid:string,comment:string,created_at:timestamp,day:date,empty_mostly:string,score:float64,qty:int64,code:string"
        try peersRead("m.parquet", "m.ndjson", types: types, in: s.path)
        // And back: Parquet → NDJSON through our import gives the same bytes as .col → NDJSON.
        let back = try CLI.run("colconv", ["m.parquet", "back.ndjson", "-q"], in: s.path)
        #expect(back.status == 0, "\(back.stderr)")
        let a = FileManager.default.contents(atPath: s.file("m.ndjson")), b = FileManager.default.contents(atPath: s.file("back.ndjson"))
        #expect(a != nil && a == b)
    }

    @Test("colprof takes a Parquet file: ours from the snapshot in its footer, others by reading their data (with a note); drift across formats; a forged snapshot is refused")
    func colprofOnParquet() throws {
        let s = Scratch()
        try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/parquet/categories.csv", toPath: s.file("categories.csv"))
        #expect(try CLI.run("colconv", ["categories.csv", "cat.col", "-q", "--chunk-rows", "64"], in: s.path).status == 0)
        #expect(try CLI.run("colconv", ["cat.col", "cat.parquet", "-q"], in: s.path).status == 0)
        func columns(_ file: String) throws -> NSArray? {
            let r = try CLI.run("colprof", [file, "--json"], in: s.path)
            #expect(r.status == 0, "\(r.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? NSDictionary
            return object?["columns"] as? NSArray
        }
        // Ours: every column's statistics, sketches and roles as the .col file's, without a note (no data read).
        let fromCol = try columns("cat.col"), fromParquet = try columns("cat.parquet")
        #expect(fromCol != nil && fromCol == fromParquet)
        let text = try CLI.run("colprof", ["cat.parquet"], in: s.path)
        #expect(text.status == 0 && text.stderr.isEmpty && text.stdout.contains("(Parquet, profiled from its footer's col.snapshot)"), "\(text.stdout)\(text.stderr)")
        // Another writer's: the data is read, and colprof says so.
        let w = try CLI.runProcess("/usr/bin/env", ["python3", "-c", """
            import pyarrow.parquet as pq, pyarrow as pa
            t = pq.read_table("cat.parquet")
            pq.write_table(t.replace_schema_metadata(None), "theirs.parquet")
            pq.write_table(t.replace_schema_metadata({"col.snapshot": "not base64!"}), "forged.parquet")
            pq.write_table(t.replace_schema_metadata({"col.snapshot": "UEFSMQ=="}), "garbage.parquet")
            """], in: s.path)
        #expect(w.status == 0, "\(w.stderr)")
        let theirs = try CLI.run("colprof", ["theirs.parquet"], in: s.path)
        #expect(theirs.status == 0 && theirs.stderr.contains("theirs.parquet holds no colconv snapshot; reading its data (200 rows in 1 row groups)"), "\(theirs.stderr)")
        #expect(theirs.stdout.hasPrefix("200 rows × 8 columns in 1 chunk") && theirs.stdout.contains("(Parquet, its data read)"), "\(theirs.stdout)")
        // Without the profile in the footer, colprof reads the data, and the file is smaller.
        #expect(try CLI.run("colconv", ["cat.col", "bare.parquet", "-q", "--no-parquet-profile"], in: s.path).status == 0)
        let bare = try CLI.run("colprof", ["bare.parquet"], in: s.path)
        #expect(bare.status == 0 && bare.stderr.contains("bare.parquet holds no colconv snapshot"), "\(bare.stderr)")
        let sizes = try ["cat.parquet", "bare.parquet"].map { try FileManager.default.attributesOfItem(atPath: s.file($0))[.size] as? Int ?? 0 }
        #expect(sizes[1] > 0 && sizes[1] < sizes[0])
        // Drift between formats: the same data passes.
        let drift = try CLI.run("colprof", ["drift", "cat.col", "theirs.parquet"], in: s.path)
        #expect(drift.status == 0 && drift.stdout.contains("schema: identical fingerprints") && drift.stdout.contains("result: PASS"), "\(drift.stdout)\(drift.stderr)")
        let snapshot = try CLI.run("colprof", ["snapshot", "cat.parquet", "-o", "base.colprof"], in: s.path)
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        #expect(try CLI.run("colprof", ["drift", "base.colprof", "cat.parquet"], in: s.path).status == 0)
        for (file, words) in [("forged.parquet", "forged.parquet: the col.snapshot metadata is not base64"),
                              ("garbage.parquet", "garbage.parquet: its col.snapshot does not read as a .col file")] {
            let r = try CLI.run("colprof", [file], in: s.path)
            #expect(r.status == 2 && r.stderr.contains(words), "\(r.stderr)")
        }
    }

    @Test("import refuses what it cannot read, naming the column and the feature; a hostile file gets a located error")
    func importRefusals() throws {
        let s = Scratch()
        let script = """
            import pyarrow as pa, pyarrow.parquet as pq, decimal
            pq.write_table(pa.table({"d": pa.array([decimal.Decimal("1.25")], pa.decimal256(50, 2))}), "decimal256.parquet")
            pq.write_table(pa.table({"b": pa.array([b"ok", b"\\xff\\xfe"], pa.binary())}), "binary.parquet")
            pq.write_table(pa.Table.from_arrays([pa.array([1, 2]), pa.array([3, 4])], names=["a", "a"]), "repeated.parquet")
            """
        let w = try CLI.runProcess("/usr/bin/env", ["python3", "-c", script], in: s.path)
        #expect(w.status == 0, "\(w.stderr)")
        for (file, words) in [("decimal256.parquet", "column d: a DECIMAL of 21 bytes (at most 16) is not imported"),
                              ("binary.parquet", "row group 0, column b: page at byte 4: a value that is not UTF-8 (dictionary value 1)")] {
            let r = try CLI.run("colconv", [file, "out.col", "-q"], in: s.path)
            #expect(r.status == 2 && r.stderr.contains(words), "\(file): \(r.stderr)")
            #expect(!s.entries.contains("out.col"))
        }
        // A name repeated in the Parquet schema is imported as a_2, with a note.
        let repeated = try CLI.run("colconv", ["repeated.parquet", "repeated.col"], in: s.path)
        #expect(repeated.status == 0 && repeated.stderr.contains("column a: repeated in the Parquet schema, imported as a_2"), "\(repeated.stderr)")
        let names = try CLI.run("colconv", ["repeated.col", "-", "--to", "csv", "-q"], in: s.path)
        #expect(names.stdout == "a,a_2\n1,3\n2,4\n", "\(names.stdout)")
        s.write("bad.parquet", bytes: Array("PAR1".utf8) + [0, 0, 0, 0] + Array("PAR1".utf8) + [0x10, 0, 0, 0] + Array("PAR1".utf8))
        let bad = try CLI.run("colconv", ["bad.parquet", "out.col", "-q"], in: s.path)
        #expect(bad.status == 2 && bad.stderr.contains("bad.parquet: a footer of 16 bytes does not fit in the file"), "\(bad.stderr)")
        #expect(!s.entries.contains("out.col"))
        try FileManager.default.removeItem(atPath: s.file("repeated.col"))
        // Rows that would decode past the decode limit are refused before they are decoded.
        try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/parquet/categories.csv", toPath: s.file("c.csv"))
        #expect(try CLI.run("colconv", ["c.csv", "c.parquet", "-q"], in: s.path).status == 0)
        let limited = try CLI.runProcess("/usr/bin/env", ["COL_DECODE_LIMIT=1KiB", CLI.binary("colconv"), "c.parquet", "out.col", "-q"], in: s.path)
        #expect(limited.status == 2 && limited.stderr.contains("values would decode to more than 1024 bytes (COL_DECODE_LIMIT)"), "\(limited.stderr)")
        #expect(!s.entries.contains("out.col"))
    }

    @Test("import widens Parquet's narrower types: int8 and uint32 to int64, float to float64, timestamps in ms and ns to µs")
    func importNarrowTypes() throws {
        let s = Scratch()
        let script = """
            import pyarrow as pa, pyarrow.parquet as pq
            pq.write_table(pa.table({
                "u": pa.array([0, 4294967295, None], pa.uint32()),
                "i8": pa.array([-128, 127, 0], pa.int8()),
                "f": pa.array([1.5, None, -0.0], pa.float32()),
                "ms": pa.array([0, -1, 1700000000123], pa.timestamp("ms", tz="UTC")),
                "ns": pa.array([0, -1, 1700000000123456789], pa.timestamp("ns", tz="UTC")),
            }), "narrow.parquet")
            """
        let w = try CLI.runProcess("/usr/bin/env", ["python3", "-c", script], in: s.path)
        #expect(w.status == 0, "\(w.stderr)")
        var r = try CLI.run("colconv", ["narrow.parquet", "narrow.col", "-q"], in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLI.run("colconv", ["narrow.col", "-", "--to", "csv", "-q"], in: s.path)
        #expect(r.stdout == """
            u,i8,f,ms,ns
            0,-128,1.5,1970-01-01T00:00:00Z,1970-01-01T00:00:00Z
            4294967295,127,,1969-12-31T23:59:59.999000Z,1969-12-31T23:59:59.999999Z
            ,0,-0.0,2023-11-14T22:13:20.123000Z,2023-11-14T22:13:20.123456Z

            """, "\(r.stdout)")
    }
}
