import SwitchboardSchema
import Testing

/// What the golden vectors cannot show well: limits at their exact edges, configurable limits, and the
/// wording of errors (frame positions, no echo of what the peer sent).
@Suite("Decoding")
struct DecoderTests {
    static func submit(requestID: [UInt8] = Array("req-1".utf8), department: [UInt8] = Array("claims".utf8),
                       body: [UInt8] = Array("hi".utf8)) -> [[UInt8]] {
        [Signature.agentBytes, [AgentCommand.submit.rawValue], requestID, department, Array("normal".utf8), body]
    }

    func reason(_ frames: [[UInt8]], limits: ProtocolLimits = .default) -> String? {
        do {
            _ = try Envelope.decodeToBroker(frames[...], limits: limits)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("the default limits")
    func defaults() {
        let limits = ProtocolLimits.default
        #expect(limits.maxBodyBytes == 1_048_576)
        #expect(ProtocolLimits.defaultMaxBodyBytes == 1_048_576)
        #expect(limits.maxRequestIDBytes == 128)
        #expect(limits.maxDepartmentBytes == 64)
        #expect(limits.maxTicketBytes == 64)
        #expect(limits.maxMetadataBytes == 65_536)
    }

    @Test("a body of exactly the limit is taken; one byte more is 413")
    func bodyLimitEdge() throws {
        let atLimit = Self.submit(body: [UInt8](repeating: 0x78, count: ProtocolLimits.defaultMaxBodyBytes))
        #expect(reason(atLimit) == nil)
        let over = Self.submit(body: [UInt8](repeating: 0x78, count: ProtocolLimits.defaultMaxBodyBytes + 1))
        #expect(throws: ProtocolError(.payloadTooLarge, "body-too-large",
            "SUBMIT: body is 1048577 bytes; the limit is 1048576")) {
            try Envelope.decodeToBroker(over[...])
        }
    }

    @Test("the body limit is configurable")
    func configurableBodyLimit() {
        let limits = ProtocolLimits(maxBodyBytes: 8)
        #expect(reason(Self.submit(body: Array("12345678".utf8)), limits: limits) == nil)
        #expect(reason(Self.submit(body: Array("123456789".utf8)), limits: limits) == "body-too-large")
        let bigger = ProtocolLimits(maxBodyBytes: 4 * 1_048_576)
        #expect(reason(Self.submit(body: [UInt8](repeating: 1, count: 2 * 1_048_576)), limits: bigger) == nil)
    }

    @Test("request id, department and ticket at their exact limits")
    func textLimitEdges() {
        #expect(reason(Self.submit(requestID: [UInt8](repeating: 0x72, count: 128))) == nil)
        #expect(reason(Self.submit(requestID: [UInt8](repeating: 0x72, count: 129))) == "request-id-too-long")
        #expect(reason(Self.submit(department: [UInt8](repeating: 0x64, count: 64))) == nil)
        #expect(reason(Self.submit(department: [UInt8](repeating: 0x64, count: 65))) == "department-too-long")
        let ticket = { (count: Int) in
            [Signature.agentBytes, [AgentCommand.status.rawValue], [UInt8](repeating: 0x54, count: count)]
        }
        #expect(reason(ticket(64)) == nil)
        #expect(reason(ticket(65)) == "ticket-too-long")
    }

    @Test("request ids may be any printable UTF-8")
    func requestIDs() throws {
        for id in ["crm:case/55102#3", "Ärztekammer-7", "요청-1", "a b c", "{\"json\":1}"] {
            let (message, _) = try Envelope.decodeToBroker(Self.submit(requestID: Array(id.utf8))[...])
            #expect(message == .agent(.submit(requestID: id, department: "claims", priority: .normal,
                                              body: Array("hi".utf8))))
        }
    }

    @Test("metadata of exactly 64 KiB is taken; one byte more is 413")
    func metadataLimitEdge() {
        let ready = { (count: Int) in
            [Signature.workerBytes, [WorkerCommand.ready.rawValue], [UInt8](repeating: 0x20, count: count)]
        }
        #expect(reason(ready(65_536)) == nil)
        #expect(reason(ready(65_537)) == "ready-too-large")
    }

    /// A long history can be big: its JSON frame is bounded by the (configurable) body limit, where STATUS,
    /// ERROR and READY JSON frames stop at 64 KiB.
    @Test("a HISTORY frame is bounded by the body limit, not the 64 KiB metadata limit")
    func historyLimit() throws {
        let history = { (command: AgentCommand, count: Int) -> [[UInt8]] in
            [[command.rawValue], Array("T-1".utf8), [UInt8](repeating: 0x20, count: count)]
        }
        let overMetadata = ProtocolLimits.default.maxMetadataBytes + 1
        // The same frame in a STATUS is refused; in a HISTORY it is taken.
        #expect(throws: ProtocolError(.payloadTooLarge, "status-too-large",
            "STATUS: status is 65537 bytes; the limit is 65536")) {
            try AgentMessage.decode(history(.status, overMetadata)[...], direction: .fromBroker)
        }
        #expect(try AgentMessage.decode(history(.history, overMetadata)[...], direction: .fromBroker)
            == .history(ticket: "T-1", info: [UInt8](repeating: 0x20, count: overMetadata)))

        let atLimit = try AgentMessage.decode(
            history(.history, ProtocolLimits.defaultMaxBodyBytes)[...], direction: .fromBroker)
        guard case let .history(_, info) = atLimit else {
            Issue.record("not a HISTORY: \(atLimit.command)")
            return
        }
        #expect(info.count == ProtocolLimits.defaultMaxBodyBytes)
        #expect(throws: ProtocolError(.payloadTooLarge, "history-too-large",
            "HISTORY: history is 1048577 bytes; the limit is 1048576")) {
            try AgentMessage.decode(history(.history, ProtocolLimits.defaultMaxBodyBytes + 1)[...],
                                    direction: .fromBroker)
        }

        // It follows the configured body limit both ways.
        let small = ProtocolLimits(maxBodyBytes: 8)
        #expect(throws: Never.self) {
            try AgentMessage.decode(history(.history, 8)[...], direction: .fromBroker, limits: small)
        }
        #expect(throws: ProtocolError(.payloadTooLarge, "history-too-large",
            "HISTORY: history is 9 bytes; the limit is 8")) {
            try AgentMessage.decode(history(.history, 9)[...], direction: .fromBroker, limits: small)
        }
        let bigger = ProtocolLimits(maxBodyBytes: 4 * 1_048_576)
        #expect(throws: Never.self) {
            try AgentMessage.decode(history(.history, 2 * 1_048_576)[...], direction: .fromBroker, limits: bigger)
        }
    }

    @Test("HISTORY: the query is the ticket alone, the reply the ticket and the JSON")
    func historyFrames() {
        let query: [[UInt8]] = [Signature.agentBytes, [AgentCommand.history.rawValue]]
        #expect(throws: ProtocolError(.badRequest, "missing-frame", "HISTORY is missing frame 3 (ticket)")) {
            try Envelope.decodeToBroker(query[...])
        }
        #expect(throws: ProtocolError(.badRequest, "extra-frames", "HISTORY has 1 unexpected frame(s) after frame 3")) {
            try Envelope.decodeToBroker((query + [Array("T-1".utf8), Array("{}".utf8)])[...])
        }
        #expect(reason(query + [[]]) == "empty-ticket")
        #expect(reason(query + [[UInt8](repeating: 0x54, count: 64)]) == nil)
        #expect(reason(query + [[UInt8](repeating: 0x54, count: 65)]) == "ticket-too-long")
        #expect(throws: ProtocolError(.badRequest, "missing-frame", "HISTORY is missing frame 4 (history)")) {
            try AgentMessage.decode([[AgentCommand.history.rawValue], Array("T-1".utf8)], direction: .fromBroker)
        }
        #expect(throws: ProtocolError(.badRequest, "extra-frames", "HISTORY has 1 unexpected frame(s) after frame 4")) {
            try AgentMessage.decode(
                [[AgentCommand.history.rawValue], Array("T-1".utf8), Array("{}".utf8), []], direction: .fromBroker)
        }
    }

    /// The unknown-command message names the range of commands; a command added without updating it fails here.
    @Test("unknown-command names the first and the last command of the sub-protocol")
    func unknownCommandRange() throws {
        func byte(_ value: UInt8) -> String {
            let digits = String(value, radix: 16, uppercase: true)
            return "0x" + (digits.count < 2 ? "0" : "") + digits
        }
        let agentLast = try #require(AgentCommand.allCases.max { $0.rawValue < $1.rawValue })
        let workerLast = try #require(WorkerCommand.allCases.max { $0.rawValue < $1.rawValue })
        #expect(agentLast == .info)
        #expect(workerLast == .release)
        do {
            _ = try AgentMessage.decode([[agentLast.rawValue + 1]], direction: .toBroker)
            Issue.record("decoded")
        } catch {
            #expect(error.reason == "unknown-command")
            #expect(error.message.hasSuffix("0x01 SUBMIT to \(byte(agentLast.rawValue)) \(agentLast)"), "\(error.message)")
        }
        do {
            _ = try WorkerMessage.decode([[workerLast.rawValue + 1]], direction: .toBroker)
            Issue.record("decoded")
        } catch {
            #expect(error.reason == "unknown-command")
            #expect(error.message.hasSuffix("0x01 READY to \(byte(workerLast.rawValue)) \(workerLast)"), "\(error.message)")
        }
    }

    /// Pause and resume: NEEDS_INFO (worker → broker), QUESTION (broker → agent), INFO (agent → broker) and INFO
    /// (broker → worker) are each a ticket and one opaque frame, held to the body limit under their own name.
    @Test("NEEDS_INFO, QUESTION and INFO: the frames, the command bytes and the messages")
    func pauseAndResumeFrames() throws {
        #expect(WorkerCommand.needsInfo.rawValue == 0x0C && WorkerCommand.needsInfo.description == "NEEDS_INFO")
        #expect(WorkerCommand.info.rawValue == 0x0D && WorkerCommand.info.description == "INFO")
        #expect(AgentCommand.question.rawValue == 0x0A && AgentCommand.question.description == "QUESTION")
        #expect(AgentCommand.info.rawValue == 0x0B && AgentCommand.info.description == "INFO")

        let ticket = Array("T-1".utf8)
        let question = Array("Which date of service?".utf8)
        #expect(try Envelope.decodeToBroker([Signature.workerBytes, [0x0C], ticket, question][...]).message
            == .worker(.needsInfo(ticket: "T-1", question: question)))
        #expect(try Envelope.decodeToBroker([Signature.agentBytes, [0x0B], ticket, []][...]).message
            == .agent(.info(ticket: "T-1", body: [])))
        #expect(try AgentMessage.decode([[0x0A], ticket, question], direction: .fromBroker)
            == .question(ticket: "T-1", body: question))
        #expect(try WorkerMessage.decode([[0x0D], ticket, [0xFF]], direction: .fromBroker)
            == .info(ticket: "T-1", body: [0xFF]))
        #expect(WorkerMessage.needsInfo(ticket: "T-1", question: question).encode()
            == [Signature.workerBytes, [0x0C], ticket, question])
        #expect(AgentMessage.info(ticket: "T-1", body: question).encode() == [Signature.agentBytes, [0x0B], ticket, question])
        #expect(AgentMessage.question(ticket: "T-1", body: question).command == .question)
        #expect(WorkerMessage.info(ticket: "T-1", body: question).command == .info)

        let needsInfo: [[UInt8]] = [Signature.workerBytes, [WorkerCommand.needsInfo.rawValue]]
        #expect(throws: ProtocolError(.badRequest, "missing-frame", "NEEDS_INFO is missing frame 3 (ticket)")) {
            try Envelope.decodeToBroker(needsInfo[...])
        }
        #expect(throws: ProtocolError(.badRequest, "missing-frame", "NEEDS_INFO is missing frame 4 (question)")) {
            try Envelope.decodeToBroker((needsInfo + [ticket])[...])
        }
        #expect(throws: ProtocolError(.badRequest, "extra-frames", "NEEDS_INFO has 1 unexpected frame(s) after frame 4")) {
            try Envelope.decodeToBroker((needsInfo + [ticket, question, question])[...])
        }
        #expect(reason(needsInfo + [[], question]) == "empty-ticket")
        let info: [[UInt8]] = [Signature.agentBytes, [AgentCommand.info.rawValue]]
        #expect(throws: ProtocolError(.badRequest, "missing-frame", "INFO is missing frame 4 (info)")) {
            try Envelope.decodeToBroker((info + [ticket])[...])
        }
        #expect(throws: ProtocolError(.badRequest, "extra-frames", "INFO has 1 unexpected frame(s) after frame 4")) {
            try Envelope.decodeToBroker((info + [ticket, [], []])[...])
        }
        // The broker never sends NEEDS_INFO, nor the agent's INFO.
        #expect(throws: ProtocolError(.badRequest, "wrong-direction", "NEEDS_INFO (0x0c) is not sent by the broker")) {
            try WorkerMessage.decode([[0x0C], ticket, question], direction: .fromBroker)
        }
        #expect(throws: ProtocolError(.badRequest, "wrong-direction", "INFO (0x0b) is not sent by the broker")) {
            try AgentMessage.decode([[0x0B], ticket, question], direction: .fromBroker)
        }
    }

    @Test("a question or info of exactly the body limit is taken; one byte more is 413 with its own reason",
          arguments: [
              (Signature.worker, WorkerCommand.needsInfo.rawValue, Direction.toBroker, "NEEDS_INFO", "question"),
              (Signature.agent, AgentCommand.question.rawValue, Direction.fromBroker, "QUESTION", "question"),
              (Signature.agent, AgentCommand.info.rawValue, Direction.toBroker, "INFO", "info"),
              (Signature.worker, WorkerCommand.info.rawValue, Direction.fromBroker, "INFO", "info"),
          ])
    func pauseAndResumeLimits(signature: Signature, command: UInt8, direction: Direction, name: String, field: String)
        throws
    {
        func decode(_ count: Int, limits: ProtocolLimits = .default) throws(ProtocolError) -> [UInt8] {
            let frames: [[UInt8]] = [[command], Array("T-1".utf8), [UInt8](repeating: 0x78, count: count)]
            let message: [[UInt8]]
            switch signature {
            case .agent: message = try AgentMessage.decode(frames[...], direction: direction, limits: limits).encode()
            case .worker: message = try WorkerMessage.decode(frames[...], direction: direction, limits: limits).encode()
            }
            #expect(message[0] == signature.bytes && message[1] == [command])
            return message[3]
        }
        let limit = ProtocolLimits.defaultMaxBodyBytes
        #expect(try decode(limit).count == limit)
        #expect(try decode(0).isEmpty, "may be empty")
        #expect(throws: ProtocolError(.payloadTooLarge, "\(field)-too-large",
            "\(name): \(field) is \(limit + 1) bytes; the limit is \(limit)")) {
            try decode(limit + 1)
        }
        // It follows the configured body limit.
        let small = ProtocolLimits(maxBodyBytes: 8)
        #expect(try decode(8, limits: small).count == 8)
        #expect(throws: ProtocolError(.payloadTooLarge, "\(field)-too-large",
            "\(name): \(field) is 9 bytes; the limit is 8")) {
            try decode(9, limits: small)
        }
    }

    @Test("the delimiter is noticed and does not shift frame numbers in messages")
    func delimiter() throws {
        let frames = Self.submit()
        let plain = try Envelope.decodeToBroker(frames[...])
        let delimited = try Envelope.decodeToBroker(([[]] + frames)[...])
        #expect(!plain.delimited && delimited.delimited)
        #expect(plain.message == delimited.message)

        let truncated = [[]] + Array(frames.prefix(4))
        #expect(throws: ProtocolError(.badRequest, "missing-frame", "SUBMIT is missing frame 5 (priority)")) {
            try Envelope.decodeToBroker(truncated[...])
        }
        #expect(throws: ProtocolError(.badRequest, "extra-frames", "SUBMIT has 2 unexpected frame(s) after frame 6")) {
            try Envelope.decodeToBroker(([[]] + frames + [[1], [2]])[...])
        }
    }

    @Test("decoding works on slices that do not start at index 0")
    func slices() throws {
        let frames: [[UInt8]] = [Array("identity".utf8)] + Self.submit()
        let (message, delimited) = try Envelope.decodeToBroker(frames.dropFirst())
        #expect(!delimited)
        #expect(message.commandName == "SUBMIT")
    }

    @Test("wrong-direction names the command and its byte", arguments: [
        (AgentCommand.accepted.rawValue, true, "ACCEPTED (0x02) is not sent by an agent"),
        (WorkerCommand.dispatch.rawValue, false, "DISPATCH (0x02) is not sent by a worker"),
        (WorkerCommand.error.rawValue, false, "ERROR (0x0b) is not sent by a worker"),
        (AgentCommand.question.rawValue, true, "QUESTION (0x0a) is not sent by an agent"),
        (WorkerCommand.info.rawValue, false, "INFO (0x0d) is not sent by a worker"),
    ])
    func wrongDirection(command: UInt8, agent: Bool, message: String) {
        let frames = [agent ? Signature.agentBytes : Signature.workerBytes, [command]]
        #expect(throws: ProtocolError(.badRequest, "wrong-direction", message)) {
            try Envelope.decodeToBroker(frames[...])
        }
        // The broker side is checked the same way.
        #expect(throws: ProtocolError(.badRequest, "wrong-direction", "SUBMIT (0x01) is not sent by the broker")) {
            try AgentMessage.decode([[AgentCommand.submit.rawValue]], direction: .fromBroker)
        }
    }

    @Test("unknown commands are described without echoing long frames")
    func unknownCommandText() {
        let long = [UInt8](repeating: 0x41, count: 40)
        do {
            _ = try Envelope.decodeToBroker([Signature.agentBytes, long])
            Issue.record("decoded")
        } catch {
            #expect(error.reason == "unknown-command")
            #expect(error.message.contains("40 bytes starting 0x41414141"))
            #expect(!error.message.contains(String(repeating: "A", count: 5)))
        }
    }

    @Test("an empty priority frame is normal, and re-encodes as normal")
    func emptyPriority() throws {
        var frames = Self.submit()
        frames[4] = []
        let (message, _) = try Envelope.decodeToBroker(frames[...])
        guard case let .agent(.submit(_, _, priority, _)) = message else {
            Issue.record("not a SUBMIT")
            return
        }
        #expect(priority == .normal)
        #expect(message.encode()[4] == Array("normal".utf8))
    }

    @Test("STATUS from the broker: the answer frame is optional")
    func statusAnswerOptional() throws {
        let info = Array(#"{"state":"queued"}"#.utf8)
        let head: [[UInt8]] = [[AgentCommand.status.rawValue], Array("T-1".utf8), info]
        #expect(try AgentMessage.decode(head[...], direction: .fromBroker)
            == .status(ticket: "T-1", info: info, answer: nil))
        #expect(try AgentMessage.decode((head + [[]])[...], direction: .fromBroker)
            == .status(ticket: "T-1", info: info, answer: []))
        #expect(AgentMessage.status(ticket: "T-1", info: info, answer: nil).encode().count == 4)
        #expect(AgentMessage.status(ticket: "T-1", info: info, answer: []).encode().count == 5)
    }

    @Test("every message value re-encodes to frames that decode to it again")
    func valueRoundTrip() throws {
        let agentToBroker: [AgentMessage] = [
            .submit(requestID: "r", department: "d", priority: .low, body: []), .statusQuery(ticket: "T"),
            .cancel(ticket: "T"), .heartbeat, .historyQuery(ticket: "T"), .info(ticket: "T", body: Array("x".utf8)),
            .info(ticket: "T", body: []),
        ]
        let agentFromBroker: [AgentMessage] = [
            .accepted(requestID: "r", ticket: "T", status: .created), .answer(ticket: "T", body: [0, 255]),
            .update(ticket: "T", body: []), .status(ticket: "T", info: [], answer: [1]),
            .error(reference: "", status: .internalError, detail: Array("{}".utf8)), .heartbeat,
            .history(ticket: "T", info: Array("{}".utf8)), .history(ticket: "T", info: []),
            .question(ticket: "T", body: [0, 255]), .question(ticket: "T", body: []),
        ]
        let workerToBroker: [WorkerMessage] = [
            .ready(info: Array("{}".utf8)), .accept(ticket: "T"), .answer(ticket: "T", body: [0]),
            .update(ticket: "T", body: []), .transfer(ticket: "T", department: "d", reason: ""),
            .reject(ticket: "T", reason: "no\nway"), .heartbeat, .disconnect,
            .needsInfo(ticket: "T", question: [0, 255]), .needsInfo(ticket: "T", question: []),
        ]
        let workerFromBroker: [WorkerMessage] = [
            .dispatch(ticket: "T", department: "d", priority: .urgent, attempt: 999_999_999, body: []),
            .heartbeat, .disconnect, .cancel(ticket: "T"),
            .error(reference: "READY", status: .conflict, detail: []),
            .info(ticket: "T", body: Array("2026-10-28".utf8)), .info(ticket: "T", body: []),
        ]
        for message in agentToBroker {
            #expect(try AgentMessage.decode(message.encode().dropFirst(), direction: .toBroker) == message)
        }
        for message in agentFromBroker {
            #expect(try AgentMessage.decode(message.encode().dropFirst(), direction: .fromBroker) == message)
        }
        for message in workerToBroker {
            #expect(try WorkerMessage.decode(message.encode().dropFirst(), direction: .toBroker) == message)
        }
        for message in workerFromBroker {
            #expect(try WorkerMessage.decode(message.encode().dropFirst(), direction: .fromBroker) == message)
        }
    }
}
