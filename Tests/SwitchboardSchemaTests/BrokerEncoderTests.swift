import Foundation
import SwitchboardSchema
import Testing

/// The broker writes what it sends with typed encoders (``AgentReply``, ``WorkerOrder``), straight to the socket.
/// Their frames must be exactly the golden vectors', the ones every client decodes.
@Suite("The broker's encoders against the golden vectors")
struct BrokerEncoderTests {
    static let fromBroker = GoldenVectorTests.validFiles.filter { file in
        (try? GoldenVectors.load(ValidVector.self, "", file).direction) == "from_broker"
    }

    @Test("broker-to-peer vectors are there")
    func vectorsAreThere() {
        #expect(Self.fromBroker.count >= 10)
    }

    @Test("the broker's encoder writes a vector's frames byte for byte", arguments: fromBroker)
    func sameFrames(file: String) throws {
        let vector = try GoldenVectors.load(ValidVector.self, "", file)
        let frames = try vector.frames()
        let (message, delimited) = try WireDecoder.decode(frames, direction: vector.direction)
        var sink = FrameCollector()
        switch message {
        case .agent(let agentMessage):
            let reply = try #require(AgentReply(agentMessage), "\(vector.name) has a broker form")
            try reply.write(to: &sink)
            #expect(reply.message == agentMessage)
        case .worker(let workerMessage):
            let order = try #require(WorkerOrder(workerMessage), "\(vector.name) has a broker form")
            try order.write(to: &sink)
            #expect(order.message == workerMessage)
        }
        #expect((delimited ? [[]] : []) + sink.frames == frames, "\(vector.name)")
    }

    @Test("a message decoded in place from one buffer equals the one decoded from separate frames",
          arguments: GoldenVectorTests.validFiles)
    func inPlaceDecoding(file: String) throws {
        let vector = try GoldenVectors.load(ValidVector.self, "", file)
        guard vector.direction == "to_broker" else { return }
        let frames = try vector.frames()
        let separate = try Envelope.decodeToBroker(frames[...])
        let buffer = Frames(frames)
        #expect(buffer.arrays == frames)
        let inPlace = try Envelope.decodeToBroker(buffer[...])
        #expect(inPlace.message == separate.message)
        #expect(inPlace.delimited == separate.delimited)
    }
}

@Suite("Tickets")
struct TicketTests {
    @Test("a ticket's text and value are two forms of one number, and only issued forms parse")
    func forms() {
        let ticket = Ticket(rawValue: 0x0123_4567_89AB_CDEF)
        #expect(ticket.text.count == Ticket.textLength)
        #expect(Ticket(ticket.text) == ticket)
        #expect(Ticket(text: ticket.bytes) == ticket)
        #expect(Ticket(text: ticket.bytes[...]) == ticket, "from a slice of a receive buffer")
        var sink = FrameCollector()
        try? sink.frame(ticket, more: false)
        #expect(sink.frames == [ticket.bytes])
        #expect(Ticket("T-0123456789abc") == nil, "lower case is not issued")
        #expect(Ticket(rawValue: 1) < Ticket(rawValue: 2))
    }

    @Test("numbers and statuses are written as the protocol spells them")
    func sinkFrames() throws {
        var sink = FrameCollector()
        for value in [0, 7, 10, 123_456_789] { try sink.frame(decimal: value, more: true) }
        try sink.frame(.created, more: true)
        try sink.frame(.deadLettered, more: false)
        #expect(sink.frames.map { String(decoding: $0, as: UTF8.self) } == ["0", "7", "10", "123456789", "201", "504"])
    }
}
