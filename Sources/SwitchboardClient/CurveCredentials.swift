import ZeroMQ

/// What a client needs to talk to a broker that runs CURVE: its own key pair (its identity, which the
/// broker maps to a principal) and the broker's public key (so it talks to the real broker).
public struct CurveCredentials: Sendable, Equatable {
    public var clientKey: CurveKeyPair
    public var serverPublicKey: [UInt8]

    public init(clientKey: CurveKeyPair, serverPublicKey: [UInt8]) {
        self.clientKey = clientKey
        self.serverPublicKey = serverPublicKey
    }

    /// Reads the client's secret certificate and the broker's public certificate (ZeroMQ certificate files,
    /// as `switchboard keygen` writes them).
    public static func load(keyFile: String, serverKeyFile: String) throws(CertificateError) -> CurveCredentials {
        let own = try CurveCertificate.load(contentsOf: keyFile)
        guard let pair = own.keyPair else {
            throw CertificateError(
                path: keyFile, reason: "is a public certificate; give your secret certificate (the _secret file)")
        }
        let server = try CurveCertificate.load(contentsOf: serverKeyFile)
        return CurveCredentials(clientKey: pair, serverPublicKey: server.publicKey)
    }

    func apply(to socket: Socket) throws {
        try socket.setCurveClient(keyPair: clientKey, serverKey: serverPublicKey)
    }
}
