/// Options of a `ColFileWriter`.
public struct WriterOptions: Sendable {
    /// The codec for data blocks; a block is stored raw when the codec does not make it smaller.
    public var codec: Codec = .zstd
    /// The zstd level (1...19; negative levels are faster).
    public var level: Int32 = 3
    /// Forces one encoding where it applies to the type (for tests and benchmarks); nil chooses by analysis.
    public var forcedEncoding: Encoding?
    /// Set by a caller whose string values are known to be UTF-8 (the converters validate every
    /// field as they read it), so the writer does not check them again.
    package var textIsValidated = false

    /// Options; by default zstd at level 3 and encodings chosen by analysis.
    public init(codec: Codec = .zstd, level: Int32 = 3, forcedEncoding: Encoding? = nil) {
        self.codec = codec
        self.level = level
        self.forcedEncoding = forcedEncoding
    }
}
