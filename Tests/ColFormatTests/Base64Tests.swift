import ColBytes
import Testing
import TestSupport

/// Base64 carries a .col snapshot in a Parquet footer's key-value metadata, where it is untrusted.
@Suite("Base64")
struct Base64Tests {
    @Test("RFC 4648's vectors, and random bytes of every length up to 64, round trip")
    func roundTrip() {
        for (plain, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                                 ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(Array(encoded.utf8)) == Array(plain.utf8))
        }
        var g = SeededRandom(seed: 64)
        for n in 0...64 {
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            #expect(Base64.decode(Array(Base64.encode(bytes).utf8)) == bytes)
        }
    }

    @Test("anything but the alphabet with final padding is refused", arguments: ["Zg", "Zg=", "Z===", "====", "Zg==Zg==", "Zm9v\n", "Zm 9", "Zm9*", "Zm=v"])
    func refused(_ text: String) {
        #expect(Base64.decode(Array(text.utf8)) == nil)
    }
}
