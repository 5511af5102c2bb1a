// # Charts for the HTML reports
//
// Every chart is inline SVG drawn from what the footer holds: a histogram
// from the KLL sketch (the share of values between two edges is the
// difference of the sketch's CDF at the edges), bars from the top-k values,
// and ranges from the chunk statistics. Nothing is sampled or read from the
// data, so a report costs what `colprof` costs.
//
// Each chart's root `<svg>` names its plot area in `data-plot="x y w h"`:
// every bar (`class="bar"`: a `<rect>`, or a `<path>` of rectangles) and
// mark (`class="mark"`) lies inside it, and every coordinate is finite. `HTMLReportTests` parses each SVG and checks
// both. Coordinates are written with one decimal, so the bytes do not depend
// on floating-point printing.

import ColFormat
import ColSketches
import ColText

/// A numeric column's distribution from its KLL sketch: the share of its values in each of equal-width bins.
struct Distribution: Sendable {
    /// The range the bins cover.
    let lo: Double, hi: Double
    /// The share of the values in each bin; they sum to 1.
    let shares: [Double]

    /// The distribution of `statistics` over `range` (default: its min to max), in `bins` bins; nil
    /// without a sketch, or without a finite range.
    init?(_ statistics: ColumnStatistics, bins: Int, over range: (lo: Double, hi: Double)? = nil) {
        guard let sketch = statistics.quantiles, !sketch.isEmpty, bins > 0 else { return nil }
        let lo: Double, hi: Double
        if let range {
            (lo, hi) = range
        } else {
            guard let a = statistics.min?.numericValue, let b = statistics.max?.numericValue else { return nil }
            (lo, hi) = (a, b)
        }
        guard lo.isFinite, hi.isFinite, lo <= hi else { return nil }
        self.lo = lo
        self.hi = hi
        guard hi > lo else {
            shares = [1]
            return
        }
        var shares: [Double] = []
        shares.reserveCapacity(bins)
        var below = lo > -Double.greatestFiniteMagnitude ? sketch.cdf(lo.nextDown) : 0
        let width = (hi - lo) / Double(bins)
        for i in 1...bins {
            let edge = i == bins ? hi : lo + width * Double(i)
            let upTo = sketch.cdf(edge)
            shares.append(Swift.max(0, upTo - below))
            below = upTo
        }
        let total = shares.reduce(0, +)
        self.shares = total > 0 ? shares.map { $0 / total } : shares
    }

    /// The value at the left edge of bin `i` (and the right edge of the last at `shares.count`).
    func edge(_ i: Int) -> Double { shares.count <= 1 ? lo : lo + (hi - lo) * Double(i) / Double(shares.count) }
}

/// Inline SVG charts, sized in CSS pixels.
enum Chart {
    /// A coordinate with one decimal; a non-finite value (never expected) is drawn at 0.
    static func c(_ v: Double) -> String { v.isFinite ? fixed(v, 1) : "0" }

    /// `v` rounded to the decimal `c` writes: a shape's far edge computed from rounded ends stays inside its plot.
    static func r1(_ v: Double) -> Double { (v * 10).rounded() / 10 }

    /// A value on an axis, in the column's units (dates and timestamps as text).
    static func label(_ v: Double, _ type: LogicalType) -> String {
        Drift.render(v, type)
    }

    /// Opens an `<svg>` with its plot area and accessible title.
    static func begin(_ w: inout HTMLWriter, width: Double, height: Double, plot: (x: Double, y: Double, w: Double, h: Double),
                      title: String, className: String) {
        w.open("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("class", className), ("width", c(width)), ("height", c(height)),
                       ("viewBox", "0 0 \(c(width)) \(c(height))"), ("role", "img"), ("aria-label", title),
                       ("data-plot", "\(c(plot.x)) \(c(plot.y)) \(c(plot.w)) \(c(plot.h))")])
        w.element("title", text: title)
    }

    /// A small histogram without axes, for a row of the column table.
    static func spark(_ d: Distribution, title: String, width: Double = 120, height: Double = 22) -> HTMLWriter {
        var w = HTMLWriter()
        let plot = (x: 0.0, y: 1.0, w: width, h: height - 2)
        begin(&w, width: width, height: height, plot: plot, title: title, className: "spark")
        bars(&w, d, plot: plot, tallest: d.shares.max() ?? 1)
        w.close("svg")
        return w
    }

    /// The bars of a histogram in `plot`, scaled so that `tallest` fills its height: one `<path>` of
    /// rectangles (`M x y h w v h h -w z` each), a quarter of the bytes of a `<rect>` per bar.
    static func bars(_ w: inout HTMLWriter, _ d: Distribution, plot: (x: Double, y: Double, w: Double, h: Double), tallest: Double,
                     className: String = "bar") {
        let n = d.shares.count
        let bw = plot.w / Double(n)
        var path = ""
        for (i, share) in d.shares.enumerated() where share > 0 {
            let h = tallest > 0 ? Swift.min(plot.h, plot.h * share / tallest) : 0
            guard h > 0 else { continue }
            let width = c(Swift.max(0.5, bw - 1))
            let bottom = r1(plot.y + plot.h), top = r1(plot.y + plot.h - h)
            guard bottom > top else { continue }
            path += "M\(c(plot.x + bw * Double(i))) \(c(top))h\(width)v\(c(bottom - top))h-\(width)z"
        }
        guard !path.isEmpty else { return }
        w.empty("path", [("class", className), ("d", path)])
    }

    /// A histogram with axes: values along x (labelled at the ends and at the marks), share of values along y.
    static func histogram(_ d: Distribution, type: LogicalType, marks: [(String, Double)], title: String, unit: String,
                          width: Double = 560, height: Double = 200) -> HTMLWriter {
        var w = HTMLWriter()
        let plot = (x: 48.0, y: 22.0, w: width - 64, h: height - 64)
        begin(&w, width: width, height: height, plot: plot, title: title, className: "chart")
        let tallest = d.shares.max() ?? 1
        axes(&w, plot: plot, yMax: tallest, xLabel: unit)
        bars(&w, d, plot: plot, tallest: tallest)
        // Quantile marks, placed by value; labels alternate rows so that close marks stay readable.
        let span = d.hi - d.lo
        for (k, (name, value)) in marks.enumerated() where value.isFinite {
            let x = span > 0 ? plot.x + plot.w * Swift.min(1, Swift.max(0, (value - d.lo) / span)) : plot.x + plot.w / 2
            w.element("line", [("class", "mark"), ("x1", c(x)), ("y1", c(plot.y)), ("x2", c(x)), ("y2", c(plot.y + plot.h))]) { w in
                w.element("title", text: "\(name) = \(label(value, type))")
            }
            w.element("text", [("class", "mark-label"), ("x", c(x)), ("y", c(k % 2 == 0 ? plot.y - 10 : plot.y - 2)), ("text-anchor", "middle")],
                      text: name)
        }
        w.element("text", [("x", c(plot.x)), ("y", c(plot.y + plot.h + 16)), ("text-anchor", "start")], text: label(d.lo, type))
        w.element("text", [("x", c(plot.x + plot.w)), ("y", c(plot.y + plot.h + 16)), ("text-anchor", "end")], text: label(d.hi, type))
        w.close("svg")
        return w
    }

    /// Two distributions over the same bins, as outlines: the base filled, the new one stroked.
    static func overlay(base: Distribution, new: Distribution, type: LogicalType, title: String, unit: String,
                        width: Double = 560, height: Double = 200) -> HTMLWriter {
        var w = HTMLWriter()
        let plot = (x: 48.0, y: 22.0, w: width - 64, h: height - 64)
        begin(&w, width: width, height: height, plot: plot, title: title, className: "chart")
        let tallest = Swift.max(base.shares.max() ?? 0, new.shares.max() ?? 0)
        axes(&w, plot: plot, yMax: tallest, xLabel: unit)
        bars(&w, base, plot: plot, tallest: tallest, className: "bar base")
        bars(&w, new, plot: plot, tallest: tallest, className: "bar new")
        legend(&w, x: plot.x + plot.w - 150, y: 12)
        w.element("text", [("x", c(plot.x)), ("y", c(plot.y + plot.h + 16)), ("text-anchor", "start")], text: label(base.lo, type))
        w.element("text", [("x", c(plot.x + plot.w)), ("y", c(plot.y + plot.h + 16)), ("text-anchor", "end")], text: label(base.hi, type))
        w.close("svg")
        return w
    }

    /// "base" and "new" swatches.
    static func legend(_ w: inout HTMLWriter, x: Double, y: Double) {
        w.empty("rect", [("class", "swatch base"), ("x", c(x)), ("y", c(y - 8)), ("width", "10"), ("height", "10")])
        w.element("text", [("x", c(x + 14)), ("y", c(y + 1))], text: "base")
        w.empty("rect", [("class", "swatch new"), ("x", c(x + 60)), ("y", c(y - 8)), ("width", "10"), ("height", "10")])
        w.element("text", [("x", c(x + 74)), ("y", c(y + 1))], text: "new")
    }

    /// The frame, a y axis in percent of values (0 and the top), and the x axis's label.
    static func axes(_ w: inout HTMLWriter, plot: (x: Double, y: Double, w: Double, h: Double), yMax: Double, xLabel: String) {
        w.empty("rect", [("class", "frame"), ("x", c(plot.x)), ("y", c(plot.y)), ("width", c(plot.w)), ("height", c(plot.h))])
        w.element("text", [("x", c(plot.x - 4)), ("y", c(plot.y + plot.h)), ("text-anchor", "end")], text: "0%")
        w.element("text", [("x", c(plot.x - 4)), ("y", c(plot.y + 8)), ("text-anchor", "end")], text: fixed(yMax * 100, 1) + "%")
        w.element("text", [("class", "axis-label"), ("x", c(plot.x + plot.w / 2)), ("y", c(plot.y + plot.h + 32)), ("text-anchor", "middle")],
                  text: xLabel)
        w.element("text", [("class", "axis-label"), ("x", "10"), ("y", c(plot.y + plot.h / 2)), ("text-anchor", "middle"),
                           ("transform", "rotate(-90 10 \(c(plot.y + plot.h / 2)))")], text: "share of values")
    }

    /// Horizontal bars: one per item, its share of the values; a second share per item is drawn beside it when given.
    static func shareBars(_ items: [(label: String, share: Double, other: Double?)], title: String, width: Double = 560) -> HTMLWriter {
        var w = HTMLWriter()
        let row = 18.0
        let twoSided = items.contains { $0.other != nil }
        let rowHeight = twoSided ? row * 1.6 : row
        let height = Swift.max(1, Double(items.count)) * rowHeight + (twoSided ? 28 : 10)
        let plot = (x: 180.0, y: twoSided ? 22.0 : 4.0, w: width - 240, h: Double(items.count) * rowHeight)
        begin(&w, width: width, height: height, plot: plot, title: title, className: "chart bars")
        if twoSided { legend(&w, x: plot.x, y: 12) }
        let top = items.map { Swift.max($0.share, $0.other ?? 0) }.max() ?? 1
        for (i, item) in items.enumerated() {
            let y = plot.y + Double(i) * rowHeight
            let shown = item.label.count > 28 ? String(item.label.prefix(27)) + "…" : item.label
            w.element("text", [("x", c(plot.x - 6)), ("y", c(y + 12)), ("text-anchor", "end")]) { w in
                if shown != item.label { w.element("title", text: item.label) }
                w.text(shown)
            }
            let len = top > 0 ? plot.w * Swift.min(1, item.share / top) : 0
            w.empty("rect", [("class", twoSided ? "bar base" : "bar"), ("x", c(plot.x)), ("y", c(y + 3)), ("width", c(len)),
                             ("height", c(twoSided ? 10 : 12))])
            var text = percent(item.share)
            if let other = item.other {
                let len2 = top > 0 ? plot.w * Swift.min(1, other / top) : 0
                w.empty("rect", [("class", "bar new"), ("x", c(plot.x)), ("y", c(y + 14)), ("width", c(len2)), ("height", "10")])
                text += " → " + percent(other)
            }
            w.element("text", [("x", c(plot.x + plot.w + 4)), ("y", c(y + 12))], text: text)
        }
        w.close("svg")
        return w
    }

    /// A bar of the null share (red) against the values (grey).
    static func nullBar(_ share: Double, width: Double = 60, height: Double = 10) -> HTMLWriter {
        var w = HTMLWriter()
        let plot = (x: 0.0, y: 0.0, w: width, h: height)
        begin(&w, width: width, height: height, plot: plot, title: "\(percent(share)) null", className: "nullbar")
        w.empty("rect", [("class", "bar values"), ("x", "0"), ("y", "0"), ("width", c(width)), ("height", c(height))])
        let s = share.isFinite ? Swift.min(1, Swift.max(0, share)) : 0
        if s > 0 { w.empty("rect", [("class", "bar nulls"), ("x", "0"), ("y", "0"), ("width", c(Swift.max(1, width * s))), ("height", c(height))]) }
        w.close("svg")
        return w
    }

    /// Small multiples along the chunks: each chunk's min–max range of a column as a vertical bar, on a shared axis.
    static func ranges(_ ranges: [(lo: Double, hi: Double)?], type: LogicalType, title: String, width: Double = 280,
                       height: Double = 90) -> HTMLWriter {
        var w = HTMLWriter()
        let plot = (x: 4.0, y: 16.0, w: width - 8, h: height - 34)
        begin(&w, width: width, height: height, plot: plot, title: title, className: "chart strip")
        let known = ranges.compactMap { $0 }.filter { $0.lo.isFinite && $0.hi.isFinite }
        let lo = known.map(\.lo).min() ?? 0, hi = known.map(\.hi).max() ?? 1
        w.empty("rect", [("class", "frame"), ("x", c(plot.x)), ("y", c(plot.y)), ("width", c(plot.w)), ("height", c(plot.h))])
        let n = Swift.max(1, ranges.count)
        let bw = plot.w / Double(n)
        func y(_ v: Double) -> Double { hi > lo ? plot.y + plot.h * (1 - (v - lo) / (hi - lo)) : plot.y + plot.h / 2 }
        for (i, r) in ranges.enumerated() {
            guard let r, r.lo.isFinite, r.hi.isFinite else { continue }
            // At least 1 px tall, kept inside the plot; both ends rounded as written.
            var top = r1(y(r.hi)), bottom = r1(y(r.lo))
            if bottom - top < 1 {
                if top + 1 <= r1(plot.y + plot.h) { bottom = top + 1 } else { top = bottom - 1 }
            }
            w.element("rect", [("class", "bar"), ("x", c(plot.x + bw * Double(i) + bw * 0.2)), ("y", c(top)),
                               ("width", c(Swift.max(0.5, bw * 0.6))), ("height", c(bottom - top))]) { w in
                w.element("title", text: "chunk \(i): \(label(r.lo, type)) … \(label(r.hi, type))")
            }
        }
        w.element("text", [("x", c(plot.x)), ("y", "11")], text: title.count > 40 ? String(title.prefix(39)) + "…" : title)
        w.element("text", [("x", c(plot.x)), ("y", c(plot.y + plot.h + 14))], text: "\(label(lo, type)) … \(label(hi, type))")
        w.close("svg")
        return w
    }
}
