import Testing
import ZeroMQ

@Suite struct MessageTests {
    @Test func initializersAgree() {
        #expect(Message(bytes("a"), [], [0]) == Message(frames: [[0x61], [], [0]]))
        #expect(Message(strings: ["a", ""]) == Message(frames: [[0x61], []]))
    }

    @Test func countsAndDescriptionWithoutContents() {
        let message = Message(strings: ["secret-health-data", "xy"])
        #expect(message.count == 2)
        #expect(message.byteCount == 20)
        #expect(message.description == "Message(2 frames, 20 bytes)")
        #expect(!message.description.contains("secret"))
    }
}
