/// Department names: lowercase ASCII letters, digits, `.`, `_` and `-`, starting with a letter or digit.
public enum DepartmentName {
    public static func isValid(_ name: String) -> Bool {
        isValid(bytes: name.utf8)
    }

    static func isValid<Bytes: Collection<UInt8>>(bytes: Bytes) -> Bool {
        guard let first = bytes.first, bytes.count <= 64, isLetterOrDigit(first) else { return false }
        return bytes.allSatisfy { isLetterOrDigit($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    static func validate(_ frame: ArraySlice<UInt8>, command: String, limits: ProtocolLimits) throws(ProtocolError) -> String {
        let text = try FrameReader.text(frame, field: "department", command: command, maxBytes: limits.maxDepartmentBytes)
        guard isValid(bytes: frame) else {
            throw ProtocolError(
                .badRequest, "bad-department",
                "\(command): department names use a-z, 0-9, '.', '_' and '-' and start with a letter or digit; "
                    + "got \(Printable.describe(frame))")
        }
        return text
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }
}
