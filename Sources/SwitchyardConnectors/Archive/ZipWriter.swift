import Foundation

/// Writes a deterministic ZIP archive: entries sorted by path bytes, every timestamp set to
/// 1980-01-01 00:00 (the earliest MS-DOS date), Unix mode 0644, UTF-8 names, no extra fields.
/// An entry is deflated when that makes it smaller, stored otherwise.
enum ZipWriter {
    private static let dosTime: UInt16 = 0
    private static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1
    private static let utf8Flag: UInt16 = 0x0800
    private static let fileAttributes: UInt32 = 0o100644 << 16

    static func archive(_ files: [String: Data]) -> Data {
        var output: [UInt8] = []
        var central: [UInt8] = []
        let paths = files.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        for path in paths {
            let content = files[path] ?? Data()
            let name = Array(path.utf8)
            let checksum = CRC32.checksum(content)
            let deflated = Deflater.deflate([UInt8](content))
            let (method, stored): (UInt16, [UInt8]) =
                deflated.count < content.count ? (8, deflated) : (0, [UInt8](content))
            let offset = output.count
            append32(0x0403_4b50, to: &output)
            append16(20, to: &output)
            append16(utf8Flag, to: &output)
            append16(method, to: &output)
            append16(dosTime, to: &output)
            append16(dosDate, to: &output)
            append32(checksum, to: &output)
            append32(UInt32(stored.count), to: &output)
            append32(UInt32(content.count), to: &output)
            append16(UInt16(name.count), to: &output)
            append16(0, to: &output)
            output += name
            output += stored

            append32(0x0201_4b50, to: &central)
            append16((3 << 8) | 20, to: &central)
            append16(20, to: &central)
            append16(utf8Flag, to: &central)
            append16(method, to: &central)
            append16(dosTime, to: &central)
            append16(dosDate, to: &central)
            append32(checksum, to: &central)
            append32(UInt32(stored.count), to: &central)
            append32(UInt32(content.count), to: &central)
            append16(UInt16(name.count), to: &central)
            append16(0, to: &central)  // extra
            append16(0, to: &central)  // comment
            append16(0, to: &central)  // disk
            append16(0, to: &central)  // internal attributes
            append32(fileAttributes, to: &central)
            append32(UInt32(offset), to: &central)
            central += name
        }
        let centralOffset = output.count
        output += central
        append32(0x0605_4b50, to: &output)
        append16(0, to: &output)
        append16(0, to: &output)
        append16(UInt16(paths.count), to: &output)
        append16(UInt16(paths.count), to: &output)
        append32(UInt32(central.count), to: &output)
        append32(UInt32(centralOffset), to: &output)
        append16(0, to: &output)
        return Data(output)
    }

    static func append16(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(value & 0xFF))
        bytes.append(UInt8(value >> 8))
    }

    static func append32(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}
