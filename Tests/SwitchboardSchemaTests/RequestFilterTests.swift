import SwitchboardSchema
import Testing

@Suite("Request filter")
struct RequestFilterTests {
    @Test("query parameters parse, and write back only what differs from the defaults")
    func roundTrip() throws {
        let filter = try RequestFilter(query: [
            ("state", "queued,answered"), ("state", "dead_lettered"), ("department", "claims"), ("priority", "urgent"),
            ("breaching", "true"), ("order", "deadline"), ("limit", "10"), ("offset", "20"),
        ])
        #expect(filter.states == [.queued, .answered, .deadLettered])
        #expect(!filter.isOpenOnly)
        #expect(filter.queryItems.map { "\($0.name)=\($0.value)" } == [
            "state=answered,dead_lettered,queued", "department=claims", "priority=urgent", "breaching=true",
            "order=deadline", "limit=10", "offset=20",
        ])
        #expect(try RequestFilter(query: filter.queryItems) == filter)
        #expect(RequestFilter().queryItems.isEmpty)
        #expect(RequestFilter().isOpenOnly)
        #expect(RequestFilter().effectiveStates == RequestFilter.openStates)
    }

    @Test("a bad parameter is a 400 naming it", arguments: [
        ("state", "lost", "invalid-parameter"), ("priority", "asap", "invalid-parameter"),
        ("breaching", "maybe", "invalid-parameter"), ("order", "oldest", "invalid-parameter"),
        ("limit", "0", "invalid-parameter"), ("limit", "1001", "invalid-parameter"), ("offset", "-1", "invalid-parameter"),
        ("offset", "9223372036854775807", "invalid-parameter"), ("colour", "red", "unknown-parameter"),
    ])
    func refusals(name: String, value: String, reason: String) {
        do {
            _ = try RequestFilter(query: [(name, value)])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect(error.status == .badRequest)
            #expect(error.reason == reason)
            #expect(error.message.contains(name))
        }
    }
}
