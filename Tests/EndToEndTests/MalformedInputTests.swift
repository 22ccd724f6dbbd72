import Foundation
import SwitchboardSchema
import Testing

@Suite("End to end: malformed input", .serialized)
struct MalformedInputTests {
    /// Sends `frames` and returns the ERROR reply's status, reason and reference.
    private func errorReply(_ peer: RawPeer, _ frames: [[UInt8]]) async throws -> (status: Int, reason: String, reference: String)? {
        try peer.send(frames)
        guard let reply = try await peer.receive(within: .seconds(10)) else { return nil }
        let signature = reply[0]
        let decoded: (StatusCode, [UInt8], String)
        if signature == Signature.agentBytes,
            case let .error(reference, status, detail) = try AgentMessage.decode(reply.dropFirst(), direction: .fromBroker)
        {
            decoded = (status, detail, reference)
        } else if signature == Signature.workerBytes,
            case let .error(reference, status, detail) = try WorkerMessage.decode(reply.dropFirst(), direction: .fromBroker)
        {
            decoded = (status, detail, reference)
        } else {
            return nil
        }
        let detail = try JSONCoding.decode(ErrorDetail.self, from: decoded.1)
        #expect(detail.status == decoded.0)
        return (decoded.0.rawValue, detail.error, decoded.2)
    }

    @Test("garbage gets error replies, and the daemon keeps serving everyone else")
    func garbage() async throws {
        try await Daemon.with { daemon in
            _ = try await daemon.serve(
                name: "billing-bot", departments: ["billing"], command: ["sh", "-c", "printf 'billed:'; cat"])
            let peer = try RawPeer(endpoint: daemon.endpoint)
            let agent = Signature.agentBytes
            let submit: [UInt8] = [AgentCommand.submit.rawValue]

            var random = SystemRandomNumberGenerator()
            let noise = (0..<64).map { _ in UInt8.random(in: 0...255, using: &random) }
            let badSignature = try await errorReply(peer, [noise])
            #expect(badSignature?.status == 400 && badSignature?.reason == "bad-signature")

            let wrongVersion = try await errorReply(peer, [Array("SWBA02".utf8), submit, Array("r".utf8)])
            #expect(wrongVersion?.status == 505 && wrongVersion?.reason == "unsupported-version")

            let truncated = try await errorReply(peer, [agent, submit, Array("req-7".utf8), Array("claims".utf8)])
            #expect(truncated?.status == 400 && truncated?.reason == "missing-frame")
            #expect(truncated?.reference == "req-7")

            let unknownCommand = try await errorReply(peer, [agent, [0x7F]])
            #expect(unknownCommand?.status == 400 && unknownCommand?.reason == "unknown-command")

            let noCommand = try await errorReply(peer, [agent])
            #expect(noCommand?.status == 400 && noCommand?.reason == "missing-command")

            let huge = [UInt8](repeating: 0x41, count: 10 * 1024 * 1024)
            let tooLarge = try await errorReply(
                peer, [agent, submit, Array("big-1".utf8), Array("claims".utf8), Array("normal".utf8), huge])
            #expect(tooLarge?.status == 413 && tooLarge?.reason == "body-too-large")
            #expect(tooLarge?.reference == "big-1")

            let workerAnswer = try await errorReply(
                peer, [Signature.workerBytes, [WorkerCommand.answer.rawValue], Array("T-0000000000000".utf8), Array("x".utf8)])
            #expect(workerAnswer?.status == 404 && workerAnswer?.reason == "unknown-ticket")

            // A burst of random multi-frame garbage from a second peer: nothing it sends may stop the broker.
            let vandal = try RawPeer(endpoint: daemon.endpoint)
            for _ in 0..<200 {
                let frames = (0..<Int.random(in: 1...6, using: &random)).map { _ in
                    (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                }
                try vandal.send(frames)
            }
            for command in AgentCommand.allCases {
                try vandal.send([agent, [command.rawValue], Array("x".utf8)])
            }

            // Everyone else is still served.
            let ask = try daemon.cli("ask", ["ask", "--department", "billing", "--json", "Invoice 42?"])
            #expect(try await ask.exitCode() == 0, "\(ask.stderr)")
            #expect(try jsonObject(ask.stdout)["answer"] as? String == "billed:Invoice 42?")
            #expect(daemon.process.process.isRunning)
            #expect(daemon.process.stderr.contains("refused a malformed message"))
            #expect(!daemon.process.stderr.contains(String(repeating: "A", count: 64)), "bodies must never be logged")
        }
    }
}
