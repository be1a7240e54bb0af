/// A raw DEFLATE (RFC 1951) decoder with a hard output cap: it throws the moment the output
/// would pass `limit`, so a hostile stream never allocates more than `limit` bytes.
struct Inflater {
    enum Failure: Error, Equatable {
        /// The output would pass the limit.
        case limitExceeded
        /// The input ended before the final block did.
        case truncated
        /// The stream is not valid DEFLATE.
        case corrupt
    }

    private let input: [UInt8]
    private let limit: Int
    private var position = 0
    private var bitBuffer: UInt32 = 0
    private var bitCount = 0
    private var output: [UInt8] = []

    private init(_ input: [UInt8], limit: Int) {
        self.input = input
        self.limit = limit
    }

    /// Inflates `input`, producing at most `limit` bytes.
    static func inflate(_ input: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        var inflater = Inflater(input, limit: limit)
        try inflater.run()
        return inflater.output
    }

    /// A canonical Huffman code: symbol counts per length and symbols in code order.
    private struct Huffman {
        var counts: [Int]
        var symbols: [Int]
        /// False when the lengths over-subscribe the code space (not a prefix code).
        var isValid = true

        init(lengths: [Int]) {
            counts = Array(repeating: 0, count: 16)
            for length in lengths { counts[length] += 1 }
            counts[0] = 0
            var left = 1
            for length in 1..<16 {
                left <<= 1
                left -= counts[length]
                if left < 0 { isValid = false }
            }
            var offsets = Array(repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            symbols = Array(repeating: 0, count: lengths.count)
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private mutating func bits(_ count: Int) throws(Failure) -> Int {
        while bitCount < count {
            guard position < input.count else { throw .truncated }
            bitBuffer |= UInt32(input[position]) << UInt32(bitCount)
            position += 1
            bitCount += 8
        }
        let value = Int(bitBuffer & ((1 << UInt32(count)) - 1))
        bitBuffer = count == 32 ? 0 : bitBuffer >> UInt32(count)
        bitCount -= count
        return value
    }

    private mutating func decode(_ code: Huffman) throws(Failure) -> Int {
        var value = 0
        var first = 0
        var index = 0
        for length in 1..<16 {
            value |= try bits(1)
            let count = code.counts[length]
            if value - count < first { return code.symbols[index + (value - first)] }
            index += count
            first += count
            first <<= 1
            value <<= 1
        }
        throw .corrupt
    }

    private mutating func emit(_ byte: UInt8) throws(Failure) {
        guard output.count < limit else { throw .limitExceeded }
        output.append(byte)
    }

    private mutating func run() throws(Failure) {
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0: try stored()
            case 1: try block(literals: Self.fixedLiterals, distances: Self.fixedDistances)
            case 2:
                let (literals, distances) = try dynamicCodes()
                try block(literals: literals, distances: distances)
            default: throw .corrupt
            }
        }
    }

    private mutating func stored() throws(Failure) {
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.count else { throw .truncated }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        position += 4
        guard length == (~complement & 0xFFFF) else { throw .corrupt }
        guard position + length <= input.count else { throw .truncated }
        for index in position..<(position + length) { try emit(input[index]) }
        position += length
    }

    private static let fixedLiterals: Huffman = {
        var lengths = Array(repeating: 8, count: 288)
        for index in 144..<256 { lengths[index] = 9 }
        for index in 256..<280 { lengths[index] = 7 }
        return Huffman(lengths: lengths)
    }()

    private static let fixedDistances = Huffman(lengths: Array(repeating: 5, count: 30))

    private mutating func dynamicCodes() throws(Failure) -> (Huffman, Huffman) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw .corrupt }
        var codeLengths = Array(repeating: 0, count: 19)
        for index in 0..<codeLengthCount { codeLengths[Self.codeLengthOrder[index]] = try bits(3) }
        let lengthCode = Huffman(lengths: codeLengths)
        guard lengthCode.isValid else { throw .corrupt }
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(lengthCode)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw .corrupt }
                lengths += Array(repeating: previous, count: 3 + (try bits(2)))
            case 17: lengths += Array(repeating: 0, count: 3 + (try bits(3)))
            default: lengths += Array(repeating: 0, count: 11 + (try bits(7)))
            }
        }
        guard lengths.count == literalCount + distanceCount, lengths[256] != 0 else { throw .corrupt }
        let literals = Huffman(lengths: Array(lengths[0..<literalCount]))
        let distances = Huffman(lengths: Array(lengths[literalCount...]))
        guard literals.isValid, distances.isValid else { throw .corrupt }
        return (literals, distances)
    }

    private mutating func block(literals: Huffman, distances: Huffman) throws(Failure) {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                try emit(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let lengthIndex = symbol - 257
                guard lengthIndex < DeflateTables.lengthBase.count else { throw .corrupt }
                let length = DeflateTables.lengthBase[lengthIndex] + (try bits(DeflateTables.lengthExtra[lengthIndex]))
                let distanceSymbol = try decode(distances)
                guard distanceSymbol < DeflateTables.distanceBase.count else { throw .corrupt }
                let distance = DeflateTables.distanceBase[distanceSymbol] + (try bits(DeflateTables.distanceExtra[distanceSymbol]))
                guard distance <= output.count else { throw .corrupt }
                for _ in 0..<length { try emit(output[output.count - distance]) }
            }
        }
    }
}
