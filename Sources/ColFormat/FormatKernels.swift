import ColBytes

/// The writer's and reader's inner steps, one at a time, for the
/// micro-benchmarks in `bench/micro`. Not API: reachable only through
/// `@_spi(Benchmarks) import ColFormat`.
@_spi(Benchmarks) public final class FormatKernels {
    private let encoder = PageEncoder()

    /// Kernels with their own encoder buffers.
    public init() {}

    /// Analyzes and encodes a column into a page (no compression); returns the encoding chosen.
    public func encode(_ v: ColumnVector, forcing: Encoding? = nil) -> Encoding {
        encoder.scratch.stringHashes.removeAll(keepingCapacity: true)
        return encoder.encode(v, forcing: forcing)
    }

    /// The page the last `encode` produced.
    public var page: [UInt8] { encoder.page.bytes }

    /// Decodes a page back into a column.
    public static func decode(_ page: [UInt8], type: LogicalType, rows: Int, encoding: Encoding) throws(BinaryDecodingError) -> ColumnVector {
        try PageDecoder.decode(page, type: type, rows: rows, encoding: encoding)
    }
}
