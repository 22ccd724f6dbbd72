/// Describes bytes for error messages and logs without echoing much of them: peers' frames may hold
/// anything, including members' health information, so only short ASCII tokens are shown.
enum Printable {
    static func describe<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        if bytes.isEmpty { return "an empty frame" }
        let isShortText = bytes.count <= 16 && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if isShortText { return "'\(String(decoding: bytes, as: UTF8.self))'" }
        return "\(bytes.count) bytes starting 0x" + bytes.prefix(4).map { hex($0) }.joined()
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
