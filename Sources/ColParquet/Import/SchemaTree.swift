// The Parquet schema as a tree (parquet.thrift stores it depth-first, each group with its count
// of children), with each node's maximum definition and repetition levels (the Dremel levels
// that place a leaf's values in their records), and what each top-level field becomes in .col:
//
// - a field with nothing repeated below it becomes one column per leaf, named by the dotted
//   path (`a.b.c`), null where the leaf or any group above it is null: structs flatten as
//   JSON objects do on ingest;
// - a field with a repeated node below it (a list, a map, a repeated group) becomes one json
//   column named by the field, its records assembled from the levels (RecordAssembly).

/// One node of the schema.
struct SchemaNode {
    var element: ParquetMetadata.Element
    var children: [SchemaNode] = []
    /// The names from the top-level field down to this node.
    var path: [String]
    /// The largest definition level of this node: the optional and repeated nodes from the top down to it.
    var definitionLevel: Int
    /// The largest repetition level of this node: the repeated nodes from the top down to it.
    var repetitionLevel: Int
    /// The indices of the leaves under this node (its own index when it is a leaf), in file order.
    var leaves: Range<Int> = 0..<0

    var isLeaf: Bool { children.isEmpty }
    var isOptional: Bool { element.repetition == 1 }
    var isRepeated: Bool { element.repetition == 2 }
    /// Whether this node or one below it repeats.
    var holdsRepetition: Bool { isRepeated || children.contains { $0.holdsRepetition } }
    /// The dotted name.
    var dottedName: String { path.joined(separator: ".") }
    /// LIST, by logical or converted type.
    var isList: Bool { element.logicalType == 3 || element.convertedType == 3 }
    /// MAP, by logical or converted type (MAP_KEY_VALUE too).
    var isMap: Bool { element.logicalType == 2 || element.convertedType == 1 || element.convertedType == 2 }
}

/// A schema that cannot be read as a tree, in words.
struct SchemaError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

enum SchemaTree {
    /// Nesting deeper than this is refused: no writer needs it, and assembly recurses by depth.
    static let maximumDepth = 32

    /// The top-level fields of `elements` (the footer's schema, root first), and the leaves in file order.
    static func build(_ elements: [ParquetMetadata.Element]) throws(SchemaError) -> (fields: [SchemaNode], leaves: [SchemaNode]) {
        guard let root = elements.first else { throw SchemaError(message: "the footer has no schema") }
        var at = 1
        var leaves: [SchemaNode] = []
        let count = Int(root.numChildren ?? 0)
        guard count > 0 else { throw SchemaError(message: "the schema has no columns") }
        var fields: [SchemaNode] = []
        for _ in 0..<count {
            fields.append(try node(elements, at: &at, parent: [], definition: 0, repetition: 0, depth: 1, leaves: &leaves))
        }
        guard at == elements.count else {
            throw SchemaError(message: "the schema lists \(elements.count - 1) elements, its groups hold \(at - 1)")
        }
        return (fields, leaves)
    }

    private static func node(_ elements: [ParquetMetadata.Element], at: inout Int, parent: [String], definition: Int, repetition: Int,
                             depth: Int, leaves: inout [SchemaNode]) throws(SchemaError) -> SchemaNode {
        guard at < elements.count else { throw SchemaError(message: "the schema's groups claim more elements than it lists") }
        guard depth <= maximumDepth else { throw SchemaError(message: "the schema nests more than \(maximumDepth) deep") }
        let e = elements[at]
        at += 1
        let path = parent + [e.name]
        guard let r = e.repetition, (0...2).contains(r) else {
            throw SchemaError(message: "column \(path.joined(separator: ".")): no repetition (required, optional or repeated)")
        }
        var n = SchemaNode(element: e, path: path, definitionLevel: definition + (r == 0 ? 0 : 1), repetitionLevel: repetition + (r == 2 ? 1 : 0))
        let children = Int(e.numChildren ?? 0)
        if children == 0 {
            guard e.type != nil else { throw SchemaError(message: "column \(n.dottedName): a group without children") }
            n.leaves = leaves.count..<(leaves.count + 1)
            leaves.append(n)
            return n
        }
        // Each child takes at least one element.
        guard children > 0, children <= elements.count - at else {
            throw SchemaError(message: "column \(n.dottedName): a group of \(children) children where \(elements.count - at) elements remain")
        }
        let first = leaves.count
        for _ in 0..<children {
            n.children.append(try node(elements, at: &at, parent: path, definition: n.definitionLevel, repetition: n.repetitionLevel,
                                       depth: depth + 1, leaves: &leaves))
        }
        n.leaves = first..<leaves.count
        return n
    }
}
