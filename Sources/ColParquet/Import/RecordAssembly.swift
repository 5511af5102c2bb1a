// Record assembly: the values of a top-level field that holds a list, a map or a repeated group,
// rebuilt as one JSON text per row from its leaves' definition and repetition levels (the
// Dremel encoding parquet-format describes).
//
// Design note. Each leaf under the field has a cursor. Emitting a node reads the definition
// level at the cursor of the node's first leaf: below the node's own level, the node is null
// (or, for a repeated node, empty) and every leaf under it gives up exactly one entry. A
// repeated node emits items while its first leaf's next entry repeats at the node's level.
// Every step consumes at least one entry of the first leaf, so assembly ends; the levels of a
// forged file can only make it stop early or late, which the row checks below refuse: each row
// starts at repetition level 0 in every leaf, and the leaves end together with the row group.
//
// JSON shapes (docs/PARQUET.md, "Nested columns"): LIST → array of its elements (the 3-level
// form and the legacy 2-level forms); MAP → object, keys as JSON strings (a map without values:
// the array of its keys); a group → object of its fields; an unannotated repeated field → array.

import ColFormat

struct RecordAssembler {
    let columns: [LeafColumn]
    /// The index of the field's first leaf: `columns[l - base]` is leaf `l`.
    let base: Int
    var cursors: [Int]
    var out: [UInt8] = []

    init(columns: [LeafColumn], base: Int) {
        self.columns = columns
        self.base = base
        cursors = Array(repeating: 0, count: columns.count)
    }

    static func corrupt(_ what: String) -> PageError { PageError(message: "levels that do not nest: \(what)") }

    func definition(_ leaf: Int) throws(PageError) -> Int {
        let c = columns[leaf - base], at = cursors[leaf - base]
        guard at < c.values.count else { throw Self.corrupt("a record needs more values than the chunk holds") }
        return c.definitions.isEmpty ? 0 : Int(c.definitions[at])
    }

    /// The repetition level of leaf `leaf`'s next entry, or nil at its end.
    func repetition(_ leaf: Int) -> Int? {
        let c = columns[leaf - base], at = cursors[leaf - base]
        guard at < c.values.count else { return nil }
        return c.repetitions.isEmpty ? 0 : Int(c.repetitions[at])
    }

    /// Moves every leaf under `n` past the one entry a null or empty `n` holds.
    mutating func skip(_ n: SchemaNode) {
        for l in n.leaves { cursors[l - base] += 1 }
    }

    /// Assembles row after row of `field` into `into` (a json column), `rows` in all.
    static func assemble(_ field: SchemaNode, columns: [LeafColumn], rows: Int, into column: inout ColumnVector) throws(PageError) {
        var a = RecordAssembler(columns: columns, base: field.leaves.lowerBound)
        let limit = PageDecoding.textLimit
        for row in 0..<rows {
            for l in field.leaves where a.repetition(l) != 0 {
                throw corrupt(a.repetition(l) == nil ? "leaf \(l - a.base + 1) of \(field.element.name) ends before row \(row)"
                                                     : "row \(row) does not start at repetition level 0")
            }
            if field.isOptional, try a.definition(field.leaves.lowerBound) < field.definitionLevel {
                a.skip(field)
                column.appendNull()
                continue
            }
            a.out.removeAll(keepingCapacity: true)
            try a.emit(field)
            guard column.bytes.count + a.out.count <= limit else { throw PageError(message: "JSON that would take more than \(limit) bytes") }
            column.append(utf8: a.out)
        }
        for l in field.leaves where a.cursors[l - a.base] != columns[l - a.base].values.count {
            throw corrupt("\(field.element.name) holds values past its row group's \(rows) rows")
        }
    }

    mutating func emit(_ n: SchemaNode, instance: Bool = false) throws(PageError) {
        if n.isRepeated && !instance {
            return try repeated(n) { (a: inout RecordAssembler) throws(PageError) in try a.emit(n, instance: true) }
        }
        let d = try definition(n.leaves.lowerBound)
        if n.isOptional && d < n.definitionLevel {
            out += Array("null".utf8)
            skip(n)
            return
        }
        if n.isLeaf { return try value(n) }
        if n.isList, n.children.count == 1, n.children[0].isRepeated {
            let r = n.children[0]
            // The 3-level form wraps the element in a one-field group; the legacy forms repeat the element itself.
            let threeLevel = !r.isLeaf && r.children.count == 1 && r.element.name != "array" && r.element.name != n.element.name + "_tuple"
            return try repeated(r) { (a: inout RecordAssembler) throws(PageError) in
                if threeLevel { try a.emit(r.children[0]) } else { try a.emit(r, instance: true) }
            }
        }
        if n.isMap, n.children.count == 1, n.children[0].isRepeated, !n.children[0].isLeaf, n.children[0].children.count == 1 {
            // A map without values is the list of its keys (as pyarrow and parquet-mr read it).
            let entry = n.children[0]
            return try repeated(entry) { (a: inout RecordAssembler) throws(PageError) in try a.emit(entry.children[0]) }
        }
        if n.isMap, n.children.count == 1, n.children[0].isRepeated, !n.children[0].isLeaf, n.children[0].children.count == 2 {
            let entry = n.children[0]
            return try repeated(entry, open: 0x7B, close: 0x7D) { (a: inout RecordAssembler) throws(PageError) in
                let keyAt = a.out.count
                try a.emit(entry.children[0])
                // JSON keys are strings: a number, a boolean or null key is quoted.
                if a.out[keyAt] != 0x22 {
                    // Moved, not inserted before: an insert would shift the whole row once per key.
                    let key = Array(a.out[keyAt...])
                    a.out.removeSubrange(keyAt...)
                    a.out.append(0x22)
                    a.out += key
                    a.out.append(0x22)
                }
                a.out.append(0x3A)
                try a.emit(entry.children[1])
            }
        }
        out.append(0x7B)
        for (k, child) in n.children.enumerated() {
            if k > 0 { out.append(0x2C) }
            CanonicalText.appendJSONString(child.element.name.utf8, to: &out)
            out.append(0x3A)
            try emit(child)
        }
        out.append(0x7D)
    }

    /// The items of the repeated node `r`, one `item` each, between `open` and `close`.
    mutating func repeated(_ r: SchemaNode, open: UInt8 = 0x5B, close: UInt8 = 0x5D,
                           item: (inout RecordAssembler) throws(PageError) -> Void) throws(PageError) {
        let first = r.leaves.lowerBound
        if try definition(first) < r.definitionLevel {
            out += [open, close]
            skip(r)
            return
        }
        out.append(open)
        var k = 0
        repeat {
            if k > 0 { out.append(0x2C) }
            try item(&self)
            k += 1
        } while repetition(first) == r.repetitionLevel
        out.append(close)
    }

    /// The value at leaf `n`'s cursor, as JSON.
    mutating func value(_ n: SchemaNode) throws(PageError) {
        let l = n.leaves.lowerBound - base
        guard try definition(n.leaves.lowerBound) == n.definitionLevel else {
            throw Self.corrupt("\(n.dottedName) is missing a value its levels promise")
        }
        let v = columns[l].values, at = cursors[l]
        cursors[l] += 1
        switch v.type {
        case .json where v.isValid(at): out.append(contentsOf: v.bytes[v.byteRange(at)])
        case .string where v.isValid(at): CanonicalText.appendJSONString(v.bytes[v.byteRange(at)], to: &out)
        default:
            if let s = v.scalar(at: at) { CanonicalText.appendJSON(s, to: &out) } else { out += Array("null".utf8) }
        }
    }
}
