import Foundation
import Logging
import SwitchboardCore
import Testing
import ZeroMQ

@testable import SwitchboardBroker

/// `security:` and `http.tokens:` in the configuration file, and the ZAP handler's decisions.
@Suite("Security configuration")
struct SecurityConfigurationTests {
    /// A directory with the broker's secret certificate and some principals' public ones.
    struct Keys {
        let directory: URL
        let broker: CurveKeyPair
        let alice: CurveKeyPair

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-keys-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            broker = try CurveKeyPair.generate()
            alice = try CurveKeyPair.generate()
            try CurveCertificate(publicKey: broker.publicKey, secretKey: broker.secretKey).text(includingSecret: true)
                .write(to: directory.appendingPathComponent("broker.key_secret"), atomically: true, encoding: .utf8)
            try CurveCertificate(publicKey: broker.publicKey).text(includingSecret: false)
                .write(to: directory.appendingPathComponent("broker.key"), atomically: true, encoding: .utf8)
            try CurveCertificate(publicKey: alice.publicKey).text(includingSecret: false)
                .write(to: directory.appendingPathComponent("alice.key"), atomically: true, encoding: .utf8)
        }

        func path(_ file: String) -> String { directory.appendingPathComponent(file).path }
    }

    @Test("principals with a key or a key file, their kinds and permissions")
    func principals() throws {
        let keys = try Keys()
        let bot = try CurveKeyPair.generate()
        let yaml = """
            security:
              key: \(keys.path("broker.key_secret"))
              principals:
                alice: {kind: agent, key_file: \(keys.path("alice.key")), submit: [claims, billing]}
                claims-bot: {kind: bot, key: "\(bot.publicKeyZ85)", serve: [claims]}
                desk: {kind: ops, key: "\(try CurveKeyPair.generate().publicKeyZ85)", operate: true, submit: "*"}
            http:
              tokens: {observe: ["observe-token-0123456789"], operate: ["operate-token-0123456789"]}
            """
        let configuration = try BrokerConfiguration.parse(yaml: yaml)
        let security = configuration.security
        #expect(security.serverKey == keys.broker)
        #expect(security.isEnabled)
        let alice = try #require(security.principal(publicKey: keys.alice.publicKey))
        #expect(alice.name == "alice" && alice.kind == .agent)
        #expect(alice.maySubmit(to: "claims") && !alice.maySubmit(to: "pharmacy"))
        #expect(!alice.mayServe("claims"))
        let claimsBot = try #require(security.principal(named: "claims-bot"))
        #expect(claimsBot.mayServe("claims") && !claimsBot.mayServe("pharmacy") && !claimsBot.maySubmit(to: "claims"))
        let desk = try #require(security.principal(named: "desk"))
        #expect(desk.mayCancel(ticketOwnedBy: "alice") && desk.mayView(ticketOwnedBy: "alice") && desk.maySubmit(to: "pharmacy"))
        #expect(!alice.mayView(ticketOwnedBy: "bob") && alice.mayView(ticketOwnedBy: "alice"))
        #expect(configuration.httpTokens.operate == ["operate-token-0123456789"])
        #expect(configuration.exposureProblems.isEmpty)
    }

    @Test("mistakes are refused where they are", arguments: [
        ("principals:\n    x: {kind: robot, key: \"K\"}", "unknown kind 'robot'"),
        ("principals:\n    x: {kind: agent}", "give its public key"),
        ("principals:\n    x: {kind: agent, key: \"not a key\"}", "is not a CURVE public key"),
        ("principals:\n    x: {kind: agent, key_file: /nonexistent/x.key}", "cannot be read"),
        ("principals:\n    x: {kind: bot, key: \"KEY\", submit: [claims]}", "a bot may only serve"),
        ("principals:\n    x: {kind: agent, key: \"KEY\", submit: [dental]}", "not configured"),
        ("principals:\n    x: {kind: agent, key: \"KEY\"}\n    y: {kind: agent, key: \"KEY\"}", "same public key"),
        ("principals:\n    x: {kind: agent, key: \"KEY\", colour: red}", "colour"),
    ])
    func mistakes(section: String, mention: String) throws {
        let keys = try Keys()
        let yaml = "security:\n  key: \(keys.path("broker.key_secret"))\n  " + section.replacingOccurrences(of: "KEY", with: keys.alice.publicKeyZ85)
        let error = try #require(throws: ConfigurationError.self) { try BrokerConfiguration.parse(yaml: yaml) }
        #expect(error.description.contains(mention), "\(error)")
    }

    @Test("the broker key must be a secret certificate; principals need it")
    func brokerKey() throws {
        let keys = try Keys()
        let publicOnly = try #require(throws: ConfigurationError.self) {
            try BrokerConfiguration.parse(yaml: "security:\n  key: \(keys.path("broker.key"))\n")
        }
        #expect(publicOnly.description.contains("secret certificate"))
        let noKey = try #require(throws: ConfigurationError.self) {
            try BrokerConfiguration.parse(yaml: "security:\n  principals:\n    a: {kind: agent, key: \"\(keys.alice.publicKeyZ85)\"}\n")
        }
        #expect(noKey.description.contains("security.key"))
    }

    @Test("a directory of public certificates (czmq's store) names principals by their metadata")
    func certificateStore() throws {
        let keys = try Keys()
        let store = keys.directory.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        let bot = try CurveKeyPair.generate()
        try CurveCertificate(publicKey: bot.publicKey, metadata: [("name", "pharmacy-bot"), ("kind", "bot"), ("serve", "pharmacy, billing")])
            .text(includingSecret: false).write(to: store.appendingPathComponent("pharmacy-bot.key"), atomically: true, encoding: .utf8)
        try CurveCertificate(publicKey: bot.publicKey, secretKey: bot.secretKey, metadata: [("name", "pharmacy-bot")])
            .text(includingSecret: true).write(to: store.appendingPathComponent("pharmacy-bot.key_secret"), atomically: true, encoding: .utf8)
        let configuration = try BrokerConfiguration.parse(
            yaml: "security:\n  key: \(keys.path("broker.key_secret"))\n  certificates: \(store.path)\n")
        let principal = try #require(configuration.security.principal(publicKey: bot.publicKey))
        #expect(principal.name == "pharmacy-bot" && principal.kind == .bot)
        #expect(principal.mayServe("pharmacy") && principal.mayServe("billing") && !principal.mayServe("claims"))
        #expect(configuration.security.principals.count == 1, "the secret certificate is not a principal")
    }

    @Test("plain endpoints or an HTTP surface beyond loopback are refused unless protected or insecure on purpose")
    func exposure() throws {
        var configuration = BrokerConfiguration()
        #expect(configuration.exposureProblems.isEmpty)
        configuration.endpoint = "tcp://*:5570"
        configuration.http = HTTPAddress(host: "0.0.0.0", port: 8570)
        #expect(configuration.exposureProblems.count == 2)
        configuration.security.insecure = true
        configuration.httpTokens.observe = ["observe-token-0123456789"]
        #expect(configuration.exposureProblems.isEmpty)
        configuration.endpoint = "ipc:///run/switchboard.sock"
        configuration.security.insecure = false
        #expect(configuration.exposureProblems.isEmpty)
    }

    @Test("ZAP: a known key gets 200 and its principal's name; an unknown key, a plain peer, and a non-ops subscriber 400")
    func zap() throws {
        let alice = try CurveKeyPair.generate(), desk = try CurveKeyPair.generate()
        var security = SecurityConfiguration()
        security.principals = [
            Principal(name: "alice", kind: .agent, publicKey: alice.publicKey),
            Principal(name: "desk", kind: .ops, publicKey: desk.publicKey),
        ]
        func request(_ domain: String, _ mechanism: String, _ key: [UInt8]?) -> [[UInt8]] {
            [Array("1.0".utf8), Array("7".utf8), Array(domain.utf8), Array("127.0.0.1".utf8), [], Array(mechanism.utf8)]
                + (key.map { [$0] } ?? [])
        }
        let logger = Logger(label: "test")
        let ok = ZAPHandler.reply(to: request("switchboard", "CURVE", alice.publicKey), security: security, nonce: "n0nce", logger: logger)
        #expect(ok.map { String(decoding: $0, as: UTF8.self) } == ["1.0", "7", "200", "OK", "n0nce:\(alice.publicKeyZ85)", ""])
        #expect(ZAPHandler.key(in: "n0nce:\(alice.publicKeyZ85)", nonce: "n0nce") == alice.publicKey)
        #expect(ZAPHandler.key(in: "other:\(alice.publicKeyZ85)", nonce: "n0nce") == nil, "a User-Id without the nonce is not ZAP's")
        let unknown = ZAPHandler.reply(
            to: request("switchboard", "CURVE", try CurveKeyPair.generate().publicKey), security: security, nonce: "n0nce", logger: logger)
        #expect(String(decoding: unknown[2], as: UTF8.self) == "400")
        let plain = ZAPHandler.reply(to: request("switchboard", "NULL", nil), security: security, nonce: "n0nce", logger: logger)
        #expect(String(decoding: plain[2], as: UTF8.self) == "400")
        let agentEvents = ZAPHandler.reply(to: request("switchboard-events", "CURVE", alice.publicKey), security: security, nonce: "n0nce", logger: logger)
        #expect(String(decoding: agentEvents[2], as: UTF8.self) == "400")
        let opsEvents = ZAPHandler.reply(to: request("switchboard-events", "CURVE", desk.publicKey), security: security, nonce: "n0nce", logger: logger)
        #expect(String(decoding: opsEvents[2], as: UTF8.self) == "200")
    }
}
