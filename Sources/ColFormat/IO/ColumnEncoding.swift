import ColBytes

/// One column of a chunk, encoded, compressed and checksummed, ready to append.
struct EncodedColumn: Sendable {
    var stored: [UInt8]
    var entry: DirectoryEntry
    /// The chunk's compacted statistics, serialized (the full ones are merged into the file's
    /// by `ColFileWriter.encoder` and not kept).
    var compactedStatistics: [UInt8]
    /// How the chunk's values move from row to row (no steps for types without an order).
    var order: ValueOrder
}

/// The encoders and compressors shared by writers (one worker per thread at a time).
let encoderPool = WorkerPool { EncoderWorker() }

/// One thread's encoder and compressor; used by one thread at a time through `encoderPool`.
final class EncoderWorker: @unchecked Sendable {
    let encoder = PageEncoder()
    let compressor = BlockCompressor()
}

/// Analyzes, encodes, compresses and checksums one column of a chunk, and computes its full
/// statistics; nil when its page or stored block would exceed `Layout.maxBlockBytes`, which
/// no reader accepts.
func encodeColumn(_ v: ColumnVector, options: WriterOptions,
                  exactLimit: Int) -> (stored: [UInt8], entry: DirectoryEntry, statistics: ColumnStatistics)? {
    encoderPool.with { worker in
        let encoder = worker.encoder, compressor = worker.compressor
        // The statistics pass hashes every string once; the encoder's dictionary reuses those hashes.
        let stats = ColumnStatistics.compute(v, stringHashes: &encoder.scratch.stringHashes, exactLimit: exactLimit)
        let encoding = encoder.encode(v, forcing: options.forcedEncoding)
        guard encoder.page.count <= Layout.maxBlockBytes else { return nil }
        let codec = encoder.page.bytes.withUnsafeBytes { compressor.compress($0, codec: options.codec, level: options.level) }
        let stored = compressor.output
        guard stored.count <= Layout.maxBlockBytes else { return nil }
        let entry = DirectoryEntry(
            offset: 0, storedLength: UInt32(stored.count), rawLength: UInt32(encoder.page.count),
            decodedBytes: UInt64(v.decodedBytes), checksum: CRC32C.checksum(stored), rowCount: UInt32(v.count),
            codec: codec, encoding: encoding, physicalType: v.type, isAbsent: false, nullCount: UInt32(v.nullCount))
        return (stored, entry, stats)
    }
}
