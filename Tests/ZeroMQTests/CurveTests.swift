import Testing
import ZeroMQ

@Suite struct Z85Tests {
    @Test func rfc32TestVector() {
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(Z85.encode(bytes) == "HelloWorld")
        #expect(Z85.decode("HelloWorld") == bytes)
    }

    @Test(arguments: [4, 8, 32, 64, 256])
    func roundTrip(count: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = try #require(Z85.encode(data))
        #expect(text.utf8.count == count * 5 / 4)
        #expect(Z85.decode(text) == data)
    }

    @Test func extremesRoundTrip() throws {
        for data in [[UInt8](repeating: 0, count: 32), [UInt8](repeating: 0xFF, count: 32)] {
            #expect(Z85.decode(try #require(Z85.encode(data))) == data)
        }
    }

    @Test func encodeRefusesLengthsThatAreNotMultiplesOfFour() {
        #expect(Z85.encode([1, 2, 3]) == nil)
        #expect(Z85.encode([1, 2, 3, 4, 5]) == nil)
    }

    @Test(arguments: ["Hell", "HelloWorl", "Hello World", "Hell~World", "Hello\u{0}orld", "#####", "Héllo"])
    func decodeOfBadTextIsNil(text: String) {
        #expect(Z85.decode(text) == nil)
    }
}

@Suite(.enabled(if: Context.hasCurve, "libzmq was built without CURVE (zmq_has(\"curve\") is false)"))
struct CurveTests {
    @Test func generatedKeysAre32Bytes() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.count == 32)
        #expect(pair.secretKey.count == 32)
        #expect(pair.publicKey != pair.secretKey)
        #expect(pair.publicKeyZ85.utf8.count == 40)
        #expect(pair.secretKeyZ85.utf8.count == 40)
        #expect(Z85.decode(pair.publicKeyZ85) == pair.publicKey)
        #expect(Z85.decode(pair.secretKeyZ85) == pair.secretKey)
        #expect(try CurveKeyPair.generate() != pair)
    }

    @Test func encryptedRouterDealerRoundTrip() throws {
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        try withSockets { sockets in
            let router = try sockets.make(.router)
            try router.setCurveServer(secretKey: server.secretKey)
            try router.bind("tcp://127.0.0.1:*")
            let endpoint = try router.lastEndpoint

            let dealer = try sockets.make(.dealer)
            try dealer.setCurveClient(keyPair: client, serverKey: server.publicKey)
            try dealer.setRoutingID(bytes("secure"))
            try dealer.connect(endpoint)
            try dealer.send(Message(frames: awkwardFrames))
            #expect(try expectMessage(router).frames == [bytes("secure")] + awkwardFrames)
            try router.send(Message(frames: [bytes("secure"), bytes("sealed reply")]))
            #expect(try expectMessage(dealer) == Message(strings: ["sealed reply"]))
        }
    }

    @Test func serverRefusesPlainAndWrongKeyClients() throws {
        let server = try CurveKeyPair.generate()
        let impostor = try CurveKeyPair.generate()
        try withSockets { sockets in
            let router = try sockets.make(.router)
            try router.setCurveServer(secretKey: server.secretKey)
            try router.bind("tcp://127.0.0.1:*")
            let endpoint = try router.lastEndpoint

            let plain = try sockets.make(.dealer)
            try plain.connect(endpoint)
            try plain.send(Message(strings: ["plain"]))

            let wrongKey = try sockets.make(.dealer)
            try wrongKey.setCurveClient(keyPair: try CurveKeyPair.generate(), serverKey: impostor.publicKey)
            try wrongKey.connect(endpoint)
            try wrongKey.send(Message(strings: ["wrong key"]))

            #expect(try receive(router, within: .milliseconds(500)) == nil)
        }
    }
}

@Suite("CURVE certificates")
struct CurveCertificateTests {
    @Test("a secret certificate's text reads back the same; the public one has no secret key")
    func roundTrip() throws {
        let pair = try CurveKeyPair.generate()
        let certificate = CurveCertificate(publicKey: pair.publicKey, secretKey: pair.secretKey, metadata: [("name", "alice"), ("kind", "agent")])
        let secret = try CurveCertificate.parse(certificate.text(includingSecret: true))
        #expect(secret == certificate)
        #expect(secret.keyPair == pair)
        let published = try CurveCertificate.parse(certificate.text(includingSecret: false))
        #expect(published.secretKey == nil)
        #expect(published.publicKey == pair.publicKey)
        #expect(published.metadata("kind") == "agent")
        #expect(!certificate.text(includingSecret: false).contains(pair.secretKeyZ85))
    }

    @Test("czmq's own format reads")
    func czmqFormat() throws {
        let text = """
            #   ****  Generated on 2026-11-29 by CZMQ  ****
            #   ZeroMQ CURVE Public Certificate

            metadata
                name = "claims-bot"
            curve
                public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
            """
        let certificate = try CurveCertificate.parse(text)
        #expect(certificate.metadata("name") == "claims-bot")
        #expect(Z85.encode(certificate.publicKey) == "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7")
    }

    @Test("a file without a usable key is refused naming the line")
    func refusals() {
        #expect(throws: CertificateError.self) { try CurveCertificate.parse("metadata\n    name = \"x\"\n") }
        #expect(throws: CertificateError.self) { try CurveCertificate.parse("curve\n    public-key = \"short\"\n") }
        #expect(throws: CertificateError.self) { try CurveCertificate.load(contentsOf: "/nonexistent/file.key") }
    }
}
