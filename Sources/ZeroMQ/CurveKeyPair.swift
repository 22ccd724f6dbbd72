import CZeroMQ

/// A CURVE key pair (32-byte keys) and the Z85 text form ZeroMQ certificates use.
public struct CurveKeyPair: Sendable, Equatable {
    public let publicKey: [UInt8]
    public let secretKey: [UInt8]

    public init(publicKey: [UInt8], secretKey: [UInt8]) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Generates a new random key pair.
    public static func generate() throws -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        try zmqCall("zmq_curve_keypair") { zmq_curve_keypair(&publicText, &secretText) }
        let publicKey = Z85.decode(String(cString: publicText))!
        let secretKey = Z85.decode(String(cString: secretText))!
        return CurveKeyPair(publicKey: publicKey, secretKey: secretKey)
    }

    public var publicKeyZ85: String { Z85.encode(publicKey)! }
    public var secretKeyZ85: String { Z85.encode(secretKey)! }
}

/// ZeroMQ's Z85 text encoding of binary keys (RFC 32).
public enum Z85 {
    /// Encodes bytes whose count is a multiple of 4; nil otherwise.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        var out = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        guard zmq_z85_encode(&out, bytes, bytes.count) != nil else { return nil }
        return String(cString: out)
    }

    /// Decodes text whose length is a multiple of 5; nil when it is not valid Z85.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 5 == 0 else { return nil }
        let alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
        guard chars.allSatisfy(alphabet.contains) else { return nil }
        var out = [UInt8](repeating: 0, count: chars.count * 4 / 5)
        guard zmq_z85_decode(&out, text) != nil else { return nil }
        return out
    }
}
