import CZlib
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TestSupport
import Testing

/// `colprof --html` and `colprof drift --html`: goldens, the structure of every SVG, the size of
/// a 1,000-column page, and the pages rendered by a real headless Chromium.
@Suite("HTML reports")
struct HTMLReportTests {
    /// `orders.col`, `drift-base.col` and `drift-new.col` in a scratch folder, and both reports written there.
    func reports() throws -> Scratch {
        let s = Scratch()
        for (name, source) in [("orders", "demo/orders.csv"), ("drift-base", "cli/drift-base.csv"), ("drift-new", "cli/drift-new.csv")] {
            try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/\(source)", toPath: "\(s.path)/\(name).csv")
            #expect(try CLI.run("colconv", ["\(name).csv", "\(name).col", "-q"], in: s.path).status == 0)
        }
        var r = try CLI.run("colprof", ["orders.col", "--mem-available", "8GiB", "--html", "profile.html"], in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLI.run("colprof", ["drift", "drift-base.col", "drift-new.col", "--html", "drift.html"], in: s.path)
        #expect(r.status == 1, "\(r.stderr)")
        return s
    }

    /// The creation times of the files converted for the test, masked.
    func stable(_ text: String) -> String {
        let time = #"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"#
        return text.replacingOccurrences(of: #"(colconv [^ ]+ at )"# + time, with: "$1<time>", options: .regularExpression)
            .replacingOccurrences(of: #"("created_at": ")"# + time, with: "$1<time>", options: .regularExpression)
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test("goldens pin the HTML of a small profile and a small drift report; the same input gives the same bytes")
    func goldens() throws {
        let s = try reports()
        for (page, golden) in [("profile.html", "report-profile.html"), ("drift.html", "report-drift.html")] {
            let (expected, actual) = try CLI.golden(golden, stable(try read(s.file(page))))
            #expect(actual == expected, "\(golden)")
        }
        // Deterministic: the same files give the same bytes.
        #expect(try CLI.run("colprof", ["orders.col", "--mem-available", "8GiB", "--html", "again.html"], in: s.path).status == 0)
        #expect(try read(s.file("again.html")) == read(s.file("profile.html")))
    }

    @Test("every SVG is well-formed XML, every bar and mark lies inside its plot, no coordinate is NaN or infinite; nothing is fetched")
    func structure() throws {
        let s = try reports()
        for page in ["profile.html", "drift.html"] {
            let html = try read(s.file(page))
            let svgs = try SVGCheck.check(html)
            #expect(svgs >= 3, "\(page): \(svgs) charts")
            // Self-contained: no script to run, nothing fetched.
            #expect(!html.contains("<link") && !html.contains("src=") && !html.contains("@import") && !html.contains("url("), "\(page)")
            let scripts = html.components(separatedBy: "<script").count - 1
            #expect(scripts == 1 && html.contains("<script type=\"application/json\" id=\"colprof-data\">"), "\(page)")
            for match in html.components(separatedBy: "http").dropFirst() { #expect(match.hasPrefix("://www.w3.org/2000/svg\""), "\(page)") }
        }
        // The embedded data is the --json report.
        let html = try read(s.file("profile.html"))
        let start = try #require(html.range(of: "<script type=\"application/json\" id=\"colprof-data\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let embedded = String(html[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "<\\/", with: "</")
        let json = try CLI.run("colprof", ["orders.col", "--mem-available", "8GiB", "--json"], in: s.path).stdout
        #expect(embedded == json)
        // The drift banner says what the exit status says.
        #expect(try read(s.file("drift.html")).contains("<div class=\"banner fail\" role=\"status\">FAIL: exit 1"))
        let same = try CLI.run("colprof", ["drift", "drift-base.col", "drift-base.col", "--html", "same.html"], in: s.path)
        let samePage = try read(s.file("same.html"))
        #expect(same.status == 0 && samePage.contains("<div class=\"banner pass\" role=\"status\">PASS: exit 0"))
    }

    @Test("the pages take what the text reports take: a folder of parts, a snapshot, a Parquet file")
    func inputs() throws {
        let s = try reports()
        try FileManager.default.createDirectory(atPath: s.file("parts"), withIntermediateDirectories: true)
        for name in ["drift-base", "drift-new"] { try FileManager.default.copyItem(atPath: s.file("\(name).col"), toPath: s.file("parts/\(name).col")) }
        #expect(try CLI.run("colprof", ["snapshot", "drift-base.col", "-o", "base.colprof"], in: s.path).status == 0)
        #expect(try CLI.run("colconv", ["orders.col", "orders.parquet", "-q"], in: s.path).status == 0)
        for (args, status) in [(["parts", "--html", "parts.html"], Int32(0)), (["base.colprof", "--html", "snapshot.html"], 0),
                               (["orders.parquet", "--html", "parquet.html"], 0),
                               (["drift", "base.colprof", "drift-new.col", "--html", "drift-snapshot.html"], 1),
                               (["drift", "parts", "drift-new.col", "--html", "drift-parts.html"], 1)] {
            let r = try CLI.run("colprof", args, in: s.path)
            #expect(r.status == status, "\(args): \(r.stderr)")
            let html = try read(s.file(args[args.count - 1]))
            #expect(try SVGCheck.check(html) >= 1, "\(args)")
            #expect(html.contains("<script type=\"application/json\" id=\"colprof-data\">"), "\(args)")
        }
        #expect(try read(s.file("parts.html")).contains("<dt>files</dt><dd>2 files, "))
        #expect(try read(s.file("drift-snapshot.html")).contains("<div class=\"banner fail\" role=\"status\">FAIL: exit 1"))
    }

    @Test("a 1,000-column file gives a paged table and a page within the documented 8 KiB per column")
    func wide() throws {
        let s = Scratch()
        var g = SeededRandom(seed: 19)
        var csv = (0..<1000).map { "c\($0)" }.joined(separator: ",") + "\n"
        for _ in 0..<200 { csv += (0..<1000).map { j in j % 3 == 0 ? "w\(g.int(20))" : String(g.int(100_000)) }.joined(separator: ",") + "\n" }
        s.write("wide.csv", csv)
        #expect(try CLI.run("colconv", ["wide.csv", "wide.col", "-q"], in: s.path).status == 0)
        let r = try CLI.run("colprof", ["wide.col", "--html", "wide.html"], in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        let html = try read(s.file("wide.html"))
        #expect(html.utf8.count < 1000 * 8 * 1024 + 64 * 1024, "\(html.utf8.count) bytes")
        #expect(html.components(separatedBy: "<details class=\"table-page\"").count - 1 == 10)
        #expect(html.components(separatedBy: "<details class=\"table-page\" open=\"open\">").count - 1 == 1)
        #expect(html.contains("<summary>columns 901–1000 of 1000</summary>"))
        _ = try SVGCheck.check(html)
    }

    @Test("headless Chromium loads both pages with no console error, and their screenshots are not blank")
    func browser() throws {
        let chromium = try Chromium.find()
        let s = try reports()
        let artifacts = CLI.root + "/.build/html-reports"
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        for page in ["profile", "drift"] {
            let png = "\(artifacts)/\(page).png"
            try? FileManager.default.removeItem(atPath: png)
            let r = try CLI.runProcess(chromium, Chromium.arguments + ["--window-size=1280,1800", "--screenshot=\(png)",
                                                                      "file://\(s.file(page + ".html"))"], in: s.path)
            #expect(r.status == 0, "\(r.stderr)")
            let console = r.stderr.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") || $0.contains("Failed to load") }
            #expect(console.isEmpty, "\(console)")
            let image = try PNGImage(path: png)
            #expect(image.width == 1280 && image.height == 1800)
            // Not blank: the page draws text, bars and a banner, so many pixels differ from the background.
            #expect(image.colors > 20, "\(page): \(image.colors) colors")
            #expect(image.inkShare > 0.02, "\(page): \(image.inkShare) of the pixels differ from the top-left one")
            try FileManager.default.copyItem(atPath: s.file(page + ".html"), toPath: "\(artifacts)/\(page).html.tmp")
            try? FileManager.default.removeItem(atPath: "\(artifacts)/\(page).html")
            try FileManager.default.moveItem(atPath: "\(artifacts)/\(page).html.tmp", toPath: "\(artifacts)/\(page).html")
        }
    }
}

/// Headless Chromium: Debian's `chromium-headless-shell` or `chromium`, installed with apt-get when missing.
enum Chromium {
    static let arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
                            "--no-first-run", "--disable-extensions"]

    static func installed() -> String? {
        ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func find() throws -> String {
        try DebianPackages.ensure(["chromium-headless-shell"], find: installed)
    }
}

/// Checks every `<svg>…</svg>` of a page with an XML parser.
enum SVGCheck {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// Returns how many charts were checked; throws at the first problem.
    static func check(_ html: String) throws -> Int {
        // Searched as bytes: Foundation's `range(of:)` on a 7 MB string costs a copy per call.
        let bytes = Array(html.utf8)
        let open = Array("<svg ".utf8), close = Array("</svg>".utf8)
        func find(_ needle: [UInt8], from start: Int) -> Int? {
            var i = start
            while i + needle.count <= bytes.count {
                if bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle { return i }
                i += 1
            }
            return nil
        }
        var count = 0
        var at = 0
        while let start = find(open, from: at) {
            guard let end = find(close, from: start) else { throw Problem(description: "an <svg> is not closed") }
            try checkOne(String(decoding: bytes[start..<(end + close.count)], as: UTF8.self))
            count += 1
            at = end + close.count
        }
        return count
    }

    final class Collector: NSObject, XMLParserDelegate {
        var plot: [Double]?
        var problems: [String] = []
        var shapes: [(String, [String: String])] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if name == "svg" { plot = attributes["data-plot"]?.split(separator: " ").compactMap { Double($0) } }
            shapes.append((name, attributes))
        }
    }

    static func checkOne(_ svg: String) throws {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        guard parser.parse() else { throw Problem(description: "not well-formed: \(parser.parserError.map { "\($0)" } ?? "?"): \(svg.prefix(300))") }
        guard let plot = collector.plot, plot.count == 4 else { throw Problem(description: "no data-plot: \(svg.prefix(200))") }
        let (x0, y0, x1, y1) = (plot[0], plot[1], plot[0] + plot[2], plot[1] + plot[3])
        let slack = 0.051
        func inside(_ x: Double, _ y: Double) -> Bool { x >= x0 - slack && x <= x1 + slack && y >= y0 - slack && y <= y1 + slack }
        for (name, attributes) in collector.shapes {
            for key in ["x", "y", "width", "height", "x1", "y1", "x2", "y2"] {
                if let v = attributes[key], Double(v)?.isFinite != true { throw Problem(description: "\(name) \(key)=\(v)") }
            }
            let classes = Set((attributes["class"] ?? "").split(separator: " ").map(String.init))
            if classes.contains("bar"), name == "rect" {
                let x = Double(attributes["x"] ?? "") ?? .nan, y = Double(attributes["y"] ?? "") ?? .nan
                let w = Double(attributes["width"] ?? "") ?? .nan, h = Double(attributes["height"] ?? "") ?? .nan
                guard w >= 0, h >= 0, inside(x, y), inside(x + w, y + h) else { throw Problem(description: "bar outside its plot \(plot): \(attributes)") }
            }
            if classes.contains("bar"), name == "path" {
                // Rectangles: M x y h w v h h -w z
                let d = attributes["d"] ?? ""
                for piece in d.split(separator: "z") {
                    let numbers = piece.split(whereSeparator: { "Mhv ".contains($0) }).map { Double($0) }
                    guard numbers.count == 5, numbers.allSatisfy({ $0?.isFinite == true }) else { throw Problem(description: "bar path \(piece)") }
                    let x = numbers[0] ?? .nan, y = numbers[1] ?? .nan, w = numbers[2] ?? .nan, h = numbers[3] ?? .nan
                    guard w >= 0, h >= 0, inside(x, y), inside(x + w, y + h) else { throw Problem(description: "bar outside its plot \(plot): \(piece)") }
                }
            }
            if classes.contains("mark") {
                let xs = [attributes["x1"], attributes["x2"]].compactMap { $0.flatMap(Double.init) }
                let ys = [attributes["y1"], attributes["y2"]].compactMap { $0.flatMap(Double.init) }
                guard xs.count == 2, ys.count == 2, inside(xs[0], ys[0]), inside(xs[1], ys[1]) else {
                    throw Problem(description: "mark outside its plot \(plot): \(attributes)")
                }
            }
        }
    }
}

/// An 8-bit RGB or RGBA PNG, decoded (zlib, then the scanline filters) to count what it shows.
struct PNGImage {
    let width: Int, height: Int
    /// Distinct colors (RGB), up to 10,000.
    let colors: Int
    /// The share of pixels whose color differs from the top-left pixel's (the page background).
    let inkShare: Double

    struct Invalid: Error {}

    init(path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count > 33, Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { throw Invalid() }
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var at = 8
        var w = 0, h = 0, channels = 0
        var idat: [UInt8] = []
        while at + 8 <= bytes.count {
            let length = u32(at)
            let kind = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
            guard at + 12 + length <= bytes.count else { throw Invalid() }
            let body = bytes[(at + 8)..<(at + 8 + length)]
            if kind == "IHDR" {
                w = u32(at + 8)
                h = u32(at + 12)
                guard body[body.startIndex + 8] == 8 else { throw Invalid() }
                switch body[body.startIndex + 9] {
                case 2: channels = 3
                case 6: channels = 4
                default: throw Invalid()
                }
            } else if kind == "IDAT" {
                idat += body
            }
            at += 12 + length
        }
        guard w > 0, h > 0, channels > 0 else { throw Invalid() }
        let stride = w * channels
        var raw = [UInt8](repeating: 0, count: h * (stride + 1))
        var size = uLongf(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { out in
            idat.withUnsafeBufferPointer { input in uncompress(out.baseAddress, &size, input.baseAddress, uLong(input.count)) }
        }
        guard status == Z_OK, Int(size) == raw.count else { throw Invalid() }
        // Undo the filters, scanline by scanline.
        var pixels = [UInt8](repeating: 0, count: h * stride)
        for row in 0..<h {
            let filter = raw[row * (stride + 1)]
            for i in 0..<stride {
                let x = raw[row * (stride + 1) + 1 + i]
                let a = i >= channels ? Int(pixels[row * stride + i - channels]) : 0
                let b = row > 0 ? Int(pixels[(row - 1) * stride + i]) : 0
                let c = row > 0 && i >= channels ? Int(pixels[(row - 1) * stride + i - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Invalid()
                }
                pixels[row * stride + i] = UInt8(truncatingIfNeeded: Int(x) + predictor)
            }
        }
        var seen = Set<UInt32>()
        var ink = 0
        let background = UInt32(pixels[0]) << 16 | UInt32(pixels[1]) << 8 | UInt32(pixels[2])
        for p in 0..<(w * h) {
            let color = UInt32(pixels[p * channels]) << 16 | UInt32(pixels[p * channels + 1]) << 8 | UInt32(pixels[p * channels + 2])
            if seen.count < 10_000 { seen.insert(color) }
            if color != background { ink += 1 }
        }
        width = w
        height = h
        colors = seen.count
        inkShare = Double(ink) / Double(w * h)
    }
}
