// What each Parquet leaf becomes in .col (docs/PARQUET.md, "Type mapping, import"): its .col
// type, and the conversion its physical values go through. Anything not listed is refused with
// the column's name and the feature, before a byte of data is read.

import ColFormat

/// How a leaf's physical values become .col values.
enum Conversion: Equatable {
    case bool, int32, uint32, int64, uint64, date
    /// INT64 timestamps: the unit (1 millis, 2 micros, 3 nanos), normalised to microseconds.
    case timestamp(unit: Int16)
    /// INT96 (legacy Spark and Impala timestamps): decoded straight to microseconds.
    case int96
    /// FLOAT and DOUBLE.
    case float64
    /// FLOAT16 in a 2-byte FIXED_LEN_BYTE_ARRAY.
    case float16
    /// STRING, ENUM, and BYTE_ARRAY without an annotation, which must hold UTF-8.
    case text
    case json
    /// UUID in a 16-byte FIXED_LEN_BYTE_ARRAY, as its canonical text.
    case uuid
    /// A FIXED_LEN_BYTE_ARRAY without an annotation (binary of a fixed width), as lowercase hex text.
    case hex
    /// DECIMAL(precision, scale): a float64 when every value of the precision fits one exactly
    /// (precision ≤ 15), otherwise its exact decimal text.
    case decimal(scale: Int, asText: Bool)
    /// TIME (time of day): the unit (1 millis in INT32, 2 micros or 3 nanos in INT64), as
    /// `HH:MM:SS.fff`, `.ffffff` or `.fffffffff` text (.col has no time-of-day type).
    case time(unit: Int16)
    /// The UNKNOWN (always null) logical type.
    case null
}

/// A leaf column: where it is in the schema, and what it becomes.
struct Leaf {
    var node: SchemaNode
    /// The dotted path.
    var name: String
    var type: LogicalType
    var conversion: Conversion
    /// The physical type code, and the width of a FIXED_LEN_BYTE_ARRAY.
    var physical: Int32
    var width: Int

    /// Decides how the leaf `n` is read, adding a note when a choice was made.
    static func resolve(_ n: SchemaNode, notes: inout [String]) throws(SchemaError) -> Leaf {
        let e = n.element
        let name = n.dottedName
        func refuse(_ what: String) -> SchemaError { SchemaError(message: "column \(name): \(what) is not imported") }
        guard let physical = e.type else { throw SchemaError(message: "column \(name): a group where a value was expected") }
        let logical = e.logicalType, converted = e.convertedType
        let isDecimal = logical == 5 || converted == 5
        func decimal(maximumPrecision: Int) throws(SchemaError) -> Conversion {
            guard let p = e.precision, let s = e.scale, p > 0, s >= 0, s <= p, Int(p) <= maximumPrecision else {
                throw SchemaError(message: "column \(name): a DECIMAL without a valid precision and scale for its \(maximumPrecision)-digit storage")
            }
            return .decimal(scale: Int(s), asText: p > 15)
        }
        if logical == 11 { return Leaf(node: n, name: name, type: .null, conversion: .null, physical: physical, width: 0) }
        var width = 0
        let conversion: Conversion
        switch physical {
        case 0: conversion = .bool
        case 1:
            if logical == 6 || converted == 6 {
                conversion = .date
            } else if isDecimal {
                conversion = try decimal(maximumPrecision: 9)
            } else if logical == 7 || converted == 7 {
                guard (e.timeUnit ?? 1) == 1 else { throw refuse("a TIME in INT32 of unit \(e.timeUnit ?? 0)") }
                conversion = .time(unit: 1)
            } else if (logical == 10 && e.integerSigned == false) || converted == 11 || converted == 12 || converted == 13 {
                conversion = .uint32
            } else {
                conversion = .int32
            }
        case 2:
            if logical == 8 || converted == 9 || converted == 10 {
                let unit = e.timeUnit ?? (converted == 9 ? 1 : 2)
                guard (1...3).contains(unit) else { throw refuse("a TIMESTAMP of unknown unit \(unit)") }
                conversion = .timestamp(unit: unit)
                if e.adjustedToUTC == false {
                    notes.append("column \(name): a timestamp without time zone (isAdjustedToUTC = false), taken as UTC")
                }
            } else if isDecimal {
                conversion = try decimal(maximumPrecision: 18)
            } else if logical == 7 || converted == 8 {
                let unit = e.timeUnit ?? 2
                guard unit == 2 || unit == 3 else { throw refuse("a TIME in INT64 of unit \(unit)") }
                conversion = .time(unit: unit)
            } else if (logical == 10 && e.integerSigned == false) || converted == 14 {
                conversion = .uint64
            } else {
                conversion = .int64
            }
        case 3:
            conversion = .int96
            notes.append("column \(name): INT96 (legacy timestamps: Julian day and nanoseconds) read as UTC microseconds")
        case 4, 5: conversion = .float64
        case 6:
            if logical == 12 || converted == 19 {
                conversion = .json
            } else if isDecimal {
                conversion = try decimal(maximumPrecision: 38)
            } else if logical == 13 || converted == 20 {
                throw refuse("BSON")
            } else if logical == 1 || logical == 4 || converted == 0 || converted == 4 {
                conversion = .text
            } else {
                conversion = .text
                let what = logical.map { "an unknown logical type (\($0))" } ?? "no annotation (binary)"
                notes.append("column \(name): BYTE_ARRAY with \(what), read as text; a value that is not UTF-8 stops the import")
            }
        case 7:
            width = Int(e.typeLength ?? 0)
            guard width > 0, width <= 1 << 16 else { throw SchemaError(message: "column \(name): a FIXED_LEN_BYTE_ARRAY of width \(width)") }
            if isDecimal {
                guard width <= 16 else { throw refuse("a DECIMAL of \(width) bytes (at most 16)") }
                conversion = try decimal(maximumPrecision: 38)
            } else if logical == 14 {
                guard width == 16 else { throw SchemaError(message: "column \(name): a UUID of \(width) bytes") }
                conversion = .uuid
            } else if logical == 15 {
                guard width == 2 else { throw SchemaError(message: "column \(name): a FLOAT16 of \(width) bytes") }
                conversion = .float16
            } else if converted == 21 {
                throw refuse("INTERVAL")
            } else {
                conversion = .hex
                notes.append("column \(name): FIXED_LEN_BYTE_ARRAY(\(width)) without an annotation, imported as hex text")
            }
        default: throw SchemaError(message: "column \(name): unknown physical type \(physical)")
        }
        let type: LogicalType
        switch conversion {
        case .bool: type = .bool
        case .int32, .uint32, .int64, .uint64: type = .int64
        case .date: type = .date
        case .timestamp, .int96: type = .timestamp
        case .float64, .float16: type = .float64
        case .text, .uuid, .hex, .time: type = .string
        case .json: type = .json
        case let .decimal(_, asText): type = asText ? .string : .float64
        case .null: type = .null
        }
        return Leaf(node: n, name: name, type: type, conversion: conversion, physical: physical, width: width)
    }
}
