/// A small, deterministic raw DEFLATE (RFC 1951) encoder: one block with the fixed Huffman
/// codes and greedy LZ77 matching (3-byte hash, 32 KiB window). It trades ratio for
/// simplicity; connector packages are small text files.
enum Deflater {
    private struct BitWriter {
        var bytes: [UInt8] = []
        var buffer: UInt32 = 0
        var count = 0

        mutating func write(_ value: Int, bits: Int) {
            buffer |= UInt32(value) << UInt32(count)
            count += bits
            while count >= 8 {
                bytes.append(UInt8(buffer & 0xFF))
                buffer >>= 8
                count -= 8
            }
        }

        /// Writes a Huffman code, which DEFLATE packs most significant bit first.
        mutating func writeCode(_ code: Int, bits: Int) {
            var reversed = 0
            for index in 0..<bits where code & (1 << index) != 0 { reversed |= 1 << (bits - 1 - index) }
            write(reversed, bits: bits)
        }

        mutating func flush() {
            if count > 0 { bytes.append(UInt8(buffer & 0xFF)) }
            buffer = 0
            count = 0
        }
    }


    private static func writeLiteral(_ symbol: Int, to writer: inout BitWriter) {
        switch symbol {
        case 0..<144: writer.writeCode(0x30 + symbol, bits: 8)
        case 144..<256: writer.writeCode(0x190 + symbol - 144, bits: 9)
        case 256..<280: writer.writeCode(symbol - 256, bits: 7)
        default: writer.writeCode(0xC0 + symbol - 280, bits: 8)
        }
    }

    /// The raw DEFLATE stream of `input`.
    static func deflate(_ input: [UInt8]) -> [UInt8] {
        var writer = BitWriter()
        writer.write(1, bits: 1)  // final block
        writer.write(1, bits: 2)  // fixed Huffman codes
        let hashSize = 1 << 15
        var head = Array(repeating: -1, count: hashSize)
        func hash(_ index: Int) -> Int {
            (Int(input[index]) << 10 ^ Int(input[index + 1]) << 5 ^ Int(input[index + 2])) & (hashSize - 1)
        }
        var index = 0
        while index < input.count {
            var matchLength = 0
            var matchDistance = 0
            if index + 2 < input.count {
                let key = hash(index)
                let candidate = head[key]
                head[key] = index
                if candidate >= 0, index - candidate <= 32768 {
                    var length = 0
                    while length < 258, index + length < input.count, input[candidate + length] == input[index + length] {
                        length += 1
                    }
                    if length >= 3 {
                        matchLength = length
                        matchDistance = index - candidate
                    }
                }
            }
            if matchLength == 0 {
                writeLiteral(Int(input[index]), to: &writer)
                index += 1
                continue
            }
            let lengthIndex = DeflateTables.lengthBase.lastIndex { $0 <= matchLength } ?? 0
            writeLiteral(257 + lengthIndex, to: &writer)
            writer.write(matchLength - DeflateTables.lengthBase[lengthIndex], bits: DeflateTables.lengthExtra[lengthIndex])
            let distanceIndex = DeflateTables.distanceBase.lastIndex { $0 <= matchDistance } ?? 0
            writer.writeCode(distanceIndex, bits: 5)
            writer.write(matchDistance - DeflateTables.distanceBase[distanceIndex], bits: DeflateTables.distanceExtra[distanceIndex])
            for position in (index + 1)..<(index + matchLength) where position + 2 < input.count {
                head[hash(position)] = position
            }
            index += matchLength
        }
        writeLiteral(256, to: &writer)
        writer.flush()
        return writer.bytes
    }
}
