import ColText

/// The frame every HTML report shares: the head with its inline style, and the data block at the end.
enum HTMLPage {
    static func begin(_ w: inout HTMLWriter, title: String) {
        w.raw("<!DOCTYPE html>\n")
        w.open("html", [("lang", "en")])
        w.element("head") { w in
            w.empty("meta", [("charset", "utf-8")])
            w.empty("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")])
            w.empty("meta", [("name", "color-scheme"), ("content", "light dark")])
            w.element("title", text: title)
            w.element("style") { w in w.raw(style) }
        }
        w.raw("\n")
        w.open("body")
    }

    /// Closes the page after the report's JSON, for machines.
    static func end(_ w: inout HTMLWriter, json: String) {
        w.element("footer") { w in
            w.text("Drawn by colprof from the footers' statistics and sketches. The same data as ")
            w.element("code", text: "--json")
            w.text(" is in the element ")
            w.element("code", text: "script#colprof-data")
            w.text(".")
        }
        w.raw("\n")
        w.open("script", [("type", "application/json"), ("id", "colprof-data")])
        w.raw(HTMLWriter.scriptJSON(json))
        w.close("script")
        w.raw("\n")
        w.close("body")
        w.close("html")
        w.raw("\n")
    }

    /// Light and dark palettes, print rules, and the charts' classes.
    static let style = """
    :root{--fg:#1d232b;--muted:#5b6675;--bg:#fff;--panel:#f4f6f9;--line:#d5dbe3;--bar:#4a78b5;--new:#d9822b;--bad:#c0392b;--warn:#b7791f;--ok:#2f855a}
    @media (prefers-color-scheme: dark){:root{--fg:#e4e8ee;--muted:#9aa6b5;--bg:#14181d;--panel:#1d232b;--line:#333c48;--bar:#6f9fdc;--new:#f0a35a;--bad:#f0776a;--warn:#e3b341;--ok:#5fc48c}}
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:24px auto;max-width:1200px;padding:0 16px}
    h1{font-size:22px;margin:0 0 12px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
    code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}dt{color:var(--muted)}dd{margin:0}
    table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--line);vertical-align:middle}
    th{color:var(--muted);font-weight:600}td.num{text-align:right;white-space:nowrap}td.name{max-width:260px;overflow:hidden;text-overflow:ellipsis}
    details{margin:4px 0}summary{cursor:pointer}details.column{border:1px solid var(--line);border-radius:6px;padding:6px 10px;background:var(--panel)}
    .column-body{display:flex;flex-wrap:wrap;gap:16px}.charts{display:flex;flex-direction:column;gap:8px}
    pre{white-space:pre-wrap;background:var(--panel);padding:8px;border-radius:6px;font-size:12px}
    li.warn::marker,.warn{color:var(--warn)}li.fail::marker,.fail{color:var(--bad)}li.info::marker{color:var(--muted)}
    .banner{font-size:20px;font-weight:700;padding:10px 14px;border-radius:6px;color:#fff}.banner.pass{background:var(--ok)}.banner.warn{background:var(--warn)}.banner.fail{background:var(--bad)}
    .status-fail{color:var(--bad);font-weight:700}.status-warn{color:var(--warn);font-weight:700}.status-ok{color:var(--ok)}
    svg text{font:11px system-ui,sans-serif;fill:var(--muted)}svg .mark-label{fill:var(--fg)}svg .axis-label{font-style:italic}
    svg .frame{fill:none;stroke:var(--line)}svg .bar{fill:var(--bar)}svg .bar.new,svg .swatch.new{fill:var(--new);fill-opacity:.55}svg .bar.base,svg .swatch.base{fill:var(--bar);fill-opacity:.55}
    svg .bar.nulls{fill:var(--bad)}svg .bar.values{fill:var(--line)}svg .mark{stroke:var(--fg);stroke-dasharray:3 2}
    svg.spark,svg.nullbar{vertical-align:middle}.strip{display:flex;flex-wrap:wrap;gap:8px}
    footer{margin-top:32px;color:var(--muted);font-size:12px}
    @media print{body{max-width:none;margin:0}details{break-inside:avoid}.banner{color:#000;border:2px solid #000}}

    """
}
