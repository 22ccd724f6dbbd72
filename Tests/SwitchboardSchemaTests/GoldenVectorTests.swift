import Foundation
import SwitchboardSchema
import Testing

@Suite("Golden vectors in schemas/vectors")
struct GoldenVectorTests {
    static let validFiles = GoldenVectors.files(in: "")
    static let invalidFiles = GoldenVectors.files(in: "invalid")
    static let eventFiles = GoldenVectors.files(in: "events")

    @Test("the vector folders are found and hold vectors")
    func vectorsAreThere() {
        // Parameterized tests with no arguments pass silently; this one does not.
        #expect(Self.validFiles.count >= 30, "valid vectors in \(GoldenVectors.directory.path)")
        #expect(Self.invalidFiles.count >= 30)
        #expect(Self.eventFiles.count >= 1)
    }

    @Test("a valid vector decodes to its command and re-encodes to the same bytes", arguments: validFiles)
    func roundTrip(file: String) throws {
        let vector = try GoldenVectors.load(ValidVector.self, "", file)
        #expect(file == vector.name + ".json")
        let frames = try vector.frames()
        let (message, delimited) = try WireDecoder.decode(frames, direction: vector.direction)

        #expect(delimited == vector.delimited)
        #expect(frames[delimited ? 1 : 0] == Array(vector.signature.utf8))
        #expect(message.signature.bytes == Array(vector.signature.utf8))
        #expect(message.commandName == vector.command)
        #expect((delimited ? [[]] : []) + message.encode() == frames, "re-encoding \(vector.name)")
        for (index, text) in vector.framesText.enumerated() {
            if let text { #expect(Array(text.utf8) == frames[index], "frames_text[\(index)] of \(vector.name)") }
        }
        try checkPayload(message, vector: vector)
    }

    /// JSON frames must be exactly what JSONCoding writes, so every implementation produces the same bytes.
    private func checkPayload(_ message: NativeMessage, vector: ValidVector) throws {
        switch message {
        case let .worker(.ready(info)):
            #expect(JSONCoding.encode(try ReadyInfo.parse(info)) == info)
        case let .agent(.status(ticket, info, _)):
            let status = try JSONCoding.decode(RequestStatus.self, from: info)
            #expect(status.ticket == ticket)
            #expect(JSONCoding.encode(status) == info)
            try checkClocks(status.clocks ?? [], vector: vector.name)
            try checkWaiting(status, vector: vector.name)
        case let .agent(.history(ticket, info)):
            let history = try JSONCoding.decode(RequestHistory.self, from: info)
            #expect(history.ticket == ticket)
            #expect(!history.events.isEmpty, "a known ticket has at least its submission")
            #expect(history.events.map(\.at) == history.events.map(\.at).sorted(), "oldest first")
            #expect(JSONCoding.encode(history) == info)
        case let .agent(.error(_, status, detail)), let .worker(.error(_, status, detail)):
            let decoded = try JSONCoding.decode(ErrorDetail.self, from: detail)
            #expect(decoded.status == status, "the JSON status equals the status frame")
            #expect(JSONCoding.encode(decoded) == detail)
        case let .agent(.accepted(_, _, status)):
            #expect([StatusCode.ok, .created, .acceptedNoWorker].contains(status))
            #expect(vector.name.hasSuffix(String(status.rawValue)) || vector.name.contains("-\(status.rawValue)-"))
        default:
            break
        }
    }

    /// Clocks as the broker reports them: one per target, in target order, the answer clock always, remaining
    /// equal to target minus used, a due time only while the clock can run, and `breached` once overdue.
    private func checkClocks(_ clocks: [SLAClockStatus], vector: String) throws {
        guard !clocks.isEmpty else { return }
        #expect(clocks.map(\.target) == clocks.map(\.target).sorted(), "\(vector): clocks in target order")
        #expect(Set(clocks.map(\.target)).count == clocks.count, "\(vector): one clock per target")
        #expect(clocks.contains { $0.target == .answer }, "\(vector): the answer clock is always there")
        for clock in clocks {
            #expect(clock.targetMs > 0 && clock.usedMs >= 0, "\(vector): \(clock.target)")
            #expect(clock.remainingMs == clock.targetMs - clock.usedMs, "\(vector): \(clock.target)")
            if clock.state == .met || clock.state == .paused {
                #expect(clock.dueAt == nil, "\(vector): a \(clock.state) clock is not due")
            }
            if clock.state == .running {
                #expect(clock.dueAt != nil, "\(vector): a running clock has its due time")
            }
            // Overdue means breached, whatever stopped the clock later; breached means its target has passed.
            if clock.remainingMs < 0 { #expect(clock.state == .breached, "\(vector): \(clock.target) is overdue") }
            if clock.state == .breached { #expect(clock.remainingMs <= 0, "\(vector): \(clock.target)") }
        }
    }

    /// A request waiting on the agent (PROTOCOL.md §8.1, Pausing): its worker still holds it, and none of its
    /// clocks runs; a paused clock belongs to such a request and to no other.
    private func checkWaiting(_ status: RequestStatus, vector: String) throws {
        let clocks = status.clocks ?? []
        if status.state == .waitingOnAgent {
            #expect(status.worker != nil, "\(vector): the worker keeps holding a request waiting on the agent")
            #expect(!clocks.contains { $0.state == .running }, "\(vector): no clock runs while waiting")
            #expect(clocks.isEmpty || clocks.contains { $0.state == .paused }, "\(vector): paused clocks")
        } else {
            #expect(!clocks.contains { $0.state == .paused }, "\(vector): paused, but \(status.state.rawValue)")
        }
    }

    @Test("an invalid vector is refused with its status and reason", arguments: invalidFiles)
    func refused(file: String) throws {
        let vector = try GoldenVectors.load(InvalidVector.self, "invalid", file)
        #expect(file == vector.name + ".json")
        #expect(["to_broker", "from_broker"].contains(vector.direction))
        let frames = try vector.frames()
        do {
            let (message, _) = try WireDecoder.decode(frames, direction: vector.direction)
            Issue.record("\(vector.name) decoded as \(message.commandName); expected \(vector.expect)")
        } catch {
            #expect(error.status.rawValue == vector.expect.status, "\(vector.name): \(error)")
            #expect(error.reason == vector.expect.error, "\(vector.name): \(error)")
            #expect(!error.message.isEmpty)
            // Messages name what is wrong without echoing what peers sent (bodies may hold health information).
            #expect(error.message.utf8.count < 400, "\(vector.name): \(error.message.utf8.count) bytes")
            #expect(!error.message.contains("xxxxxxxx"))
        }
    }

    @Test("an event vector is a topic and the JSON of an EventRecord of that type", arguments: eventFiles)
    func event(file: String) throws {
        let vector = try GoldenVectors.load(EventVector.self, "events", file)
        let frames = try vector.framesHex.map(Hex.decode)
        try #require(frames.count == 2)
        let event = try JSONCoding.decode(EventRecord.self, from: frames[1])
        #expect(event.type.topic == frames[0])
        #expect(JSONCoding.encode(event) == frames[1])
        // The SLA fields appear on the SLA events as PROTOCOL.md §13 lists them, and nowhere else.
        switch event.type {
        case .requestSLAWarning:
            #expect(event.target != nil && event.threshold != nil && event.dueAt != nil, "\(vector.name)")
            #expect((1...99).contains(event.threshold ?? 0), "\(vector.name): a warning is below the target")
        case .requestSLABreached:
            #expect(event.target != nil && event.threshold == nil && event.dueAt != nil, "\(vector.name)")
        default:
            #expect(event.target == nil && event.threshold == nil && event.dueAt == nil, "\(vector.name)")
        }
        // Pause and resume: the state after each, and the worker that holds the request throughout.
        switch event.type {
        case .requestWaitingOnAgent:
            #expect(event.state == .waitingOnAgent && event.worker != nil, "\(vector.name)")
        case .requestInfoReceived:
            #expect(event.state == .accepted && event.worker != nil, "\(vector.name)")
        default:
            #expect(event.state != .waitingOnAgent || event.type == .requestUpdated, "\(vector.name)")
        }
        if event.type == .requestEscalated, event.fromDepartment != nil {
            // An escalation by transfer: queued in the new department, offered to nobody yet, nobody holds it.
            #expect(event.department != event.fromDepartment, "\(vector.name)")
            #expect(event.state == .queued && event.attempt == 0 && event.worker == nil, "\(vector.name)")
        }
    }

    @Test("every service-level and pause event type has an event vector, and escalation both ways")
    func slaEventsHaveVectors() throws {
        var types: [EventType] = []
        var escalations: [EventRecord] = []
        for file in Self.eventFiles {
            let vector = try GoldenVectors.load(EventVector.self, "events", file)
            let event = try JSONCoding.decode(EventRecord.self, from: Hex.decode(vector.framesHex[1]))
            types.append(event.type)
            if event.type == .requestEscalated { escalations.append(event) }
        }
        for type in [EventType.requestSLAWarning, .requestSLABreached, .requestEscalated] {
            #expect(types.contains(type), "no event vector of type \(type.rawValue)")
        }
        #expect(escalations.contains { $0.fromDepartment != nil }, "an escalation by transfer")
        #expect(escalations.contains { $0.fromDepartment == nil }, "an escalation by raised priority")
        for type in [EventType.requestWaitingOnAgent, .requestInfoReceived] {
            #expect(types.contains(type), "no event vector of type \(type.rawValue)")
        }
    }

    /// Every command of both sub-protocols, in every direction its decoder accepts, has a vector: a new
    /// command without one fails here.
    @Test("every command has a vector in every direction it travels")
    func everyCommandHasAVector() throws {
        var covered = Set<String>()
        for file in Self.validFiles {
            let vector = try GoldenVectors.load(ValidVector.self, "", file)
            covered.insert("\(vector.signature) \(vector.direction) \(vector.command)")
        }
        var needed = Set<String>()
        for (direction, name) in [(Direction.toBroker, "to_broker"), (.fromBroker, "from_broker")] {
            for command in AgentCommand.allCases where Self.travels(agent: command, direction) {
                needed.insert("SWBA01 \(name) \(command)")
            }
            for command in WorkerCommand.allCases where Self.travels(worker: command, direction) {
                needed.insert("SWBW01 \(name) \(command)")
            }
        }
        #expect(needed.count == 30)
        let missing = needed.subtracting(covered).sorted()
        #expect(missing.isEmpty, "commands without a vector: \(missing)")
        #expect(covered.subtracting(needed).isEmpty, "vectors for no command: \(covered.subtracting(needed).sorted())")
    }

    @Test("a delimited message, a 202 and a 200 ACCEPTED, an answered STATUS, HISTORY, the SLA and pausing have vectors")
    func specialCasesHaveVectors() {
        for name in [
            "agent-submit-delimited", "agent-accepted-201-delimited", "agent-accepted-200", "agent-accepted-201",
            "agent-accepted-202", "agent-status-answered", "agent-history-query", "agent-history",
            "agent-status-clocks", "agent-status-breached", "agent-history-escalated",
            "agent-status-waiting-on-agent", "agent-error-not-waiting",
        ] {
            #expect(Self.validFiles.contains(name + ".json"), "\(name).json")
        }
    }

    /// Directions as PROTOCOL.md lists them. If a decoder starts to accept another direction, the document
    /// (and the vectors) must change with it.
    @Test("commands travel in the directions PROTOCOL.md lists")
    func directionsMatchTheDocument() {
        let agentToBroker: Set<AgentCommand> = [.submit, .status, .cancel, .heartbeat, .history, .info]
        let agentFromBroker: Set<AgentCommand> = [.accepted, .answer, .update, .status, .error, .heartbeat, .history,
                                                  .question]
        let workerToBroker: Set<WorkerCommand> = [.ready, .accept, .answer, .update, .transfer, .reject, .heartbeat,
                                                  .disconnect, .needsInfo, .release]
        let workerFromBroker: Set<WorkerCommand> = [.dispatch, .heartbeat, .disconnect, .cancel, .error, .info]
        #expect(Set(AgentCommand.allCases.filter { Self.travels(agent: $0, .toBroker) }) == agentToBroker)
        #expect(Set(AgentCommand.allCases.filter { Self.travels(agent: $0, .fromBroker) }) == agentFromBroker)
        #expect(Set(WorkerCommand.allCases.filter { Self.travels(worker: $0, .toBroker) }) == workerToBroker)
        #expect(Set(WorkerCommand.allCases.filter { Self.travels(worker: $0, .fromBroker) }) == workerFromBroker)
    }

    /// The command tables of PROTOCOL.md §5.1 and §6.1 have a row per command and direction the decoders take,
    /// with its byte; §4.3 names the first and the last command of each sub-protocol.
    @Test("PROTOCOL.md lists every command with its byte and direction, and the command ranges")
    func commandTablesMatchTheDocument() throws {
        func documented(_ heading: String, peer: String) throws -> Set<String> {
            Set(try ProtocolDocument.rows(ProtocolDocument.section(heading)).compactMap { cells -> String? in
                guard cells.count >= 3, cells[1].hasPrefix("`0x") else { return nil }
                let direction = cells[2] == "both" ? "both" : cells[2] == "\(peer)→B" ? "to" : "from"
                return "\(cells[0]) \(cells[1].dropFirst().dropLast()) \(direction)"
            })
        }
        func hex(_ byte: UInt8) -> String { "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true) }
        func rows(_ name: String, _ byte: UInt8, to: Bool, from: Bool) -> [String] {
            to && from ? ["\(name) \(hex(byte)) both"]
                : (to ? ["\(name) \(hex(byte)) to"] : []) + (from ? ["\(name) \(hex(byte)) from"] : [])
        }
        let agent = Set(AgentCommand.allCases.flatMap {
            rows($0.description, $0.rawValue, to: Self.travels(agent: $0, .toBroker),
                 from: Self.travels(agent: $0, .fromBroker))
        })
        let worker = Set(WorkerCommand.allCases.flatMap {
            rows($0.description, $0.rawValue, to: Self.travels(worker: $0, .toBroker),
                 from: Self.travels(worker: $0, .fromBroker))
        })
        // STATUS and HISTORY have a row per direction in the agent table (their frames differ); to the decoder
        // they are one command that travels both ways.
        let agentRows = try documented("### 5.1. ", peer: "A").map { row in
            ["STATUS ", "HISTORY "].contains { row.hasPrefix($0) }
                ? row.replacingOccurrences(of: #" (to|from)$"#, with: " both", options: .regularExpression) : row
        }
        #expect(Set(agentRows) == agent)
        #expect(try documented("### 6.1. ", peer: "W") == worker)
        #expect(agent.isSuperset(of: ["QUESTION 0x0A from", "INFO 0x0B to"]))
        #expect(worker.isSuperset(of: ["NEEDS_INFO 0x0C to", "INFO 0x0D from"]))

        // §4.3: "Agent commands run from `0x01` SUBMIT to `0x0B` INFO ..., worker commands from `0x01` READY to ..."
        let ranges = try ProtocolDocument.section("### 4.3. ").joined(separator: " ")
        let agentLast = try #require(AgentCommand.allCases.max { $0.rawValue < $1.rawValue })
        let workerLast = try #require(WorkerCommand.allCases.max { $0.rawValue < $1.rawValue })
        #expect(ranges.contains("`0x01` SUBMIT to `\(hex(agentLast.rawValue))` \(agentLast)"), "\(ranges)")
        #expect(ranges.contains("`0x01` READY to `\(hex(workerLast.rawValue))` \(workerLast)"), "\(ranges)")
    }

    /// Every reason a vector expects, and every reason of an ERROR vector, is in PROTOCOL.md §11.
    @Test("PROTOCOL.md §11 lists every reason of the vectors")
    func reasonsAreDocumented() throws {
        let section = try ProtocolDocument.section("## 11. ").joined(separator: "\n")
        var reasons = Set<String>()
        for file in Self.invalidFiles {
            reasons.insert(try GoldenVectors.load(InvalidVector.self, "invalid", file).expect.error)
        }
        for file in Self.validFiles {
            let vector = try GoldenVectors.load(ValidVector.self, "", file)
            guard vector.command == "ERROR", let json = vector.framesHex.last else { continue }
            reasons.insert(try JSONCoding.decode(ErrorDetail.self, from: Hex.decode(json)).error)
        }
        #expect(reasons.isSuperset(of: ["not-waiting", "question-too-large", "info-too-large"]))
        for reason in reasons.sorted() {
            #expect(section.contains("`\(reason)`"), "\(reason) is not in PROTOCOL.md §11")
        }
    }

    /// Whether the decoder takes this command in this direction (anything but `wrong-direction`).
    static func travels(agent command: AgentCommand, _ direction: Direction) -> Bool {
        do {
            _ = try AgentMessage.decode([[command.rawValue]], direction: direction)
            return true
        } catch {
            return error.reason != "wrong-direction"
        }
    }

    static func travels(worker command: WorkerCommand, _ direction: Direction) -> Bool {
        do {
            _ = try WorkerMessage.decode([[command.rawValue]], direction: direction)
            return true
        } catch {
            return error.reason != "wrong-direction"
        }
    }
}
