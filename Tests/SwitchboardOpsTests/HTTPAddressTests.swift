import SwitchboardBroker
import Testing

@Suite("HTTP address")
struct HTTPAddressTests {
    @Test("HOST:PORT, bracketed IPv6 and off")
    func parses() throws {
        #expect(try HTTPAddress.parse("127.0.0.1:8570") == HTTPAddress(host: "127.0.0.1", port: 8570))
        #expect(try HTTPAddress.parse("0.0.0.0:80") == HTTPAddress(host: "0.0.0.0", port: 80))
        #expect(try HTTPAddress.parse("[::1]:9000") == HTTPAddress(host: "::1", port: 9000))
        #expect(try HTTPAddress.parse("off") == nil)
        #expect(try HTTPAddress.parse("localhost:1")?.isLoopback == true)
        #expect(try HTTPAddress.parse("0.0.0.0:8570")?.isLoopback == false)
        #expect(HTTPAddress(host: "::1", port: 9000).description == "[::1]:9000")
    }

    @Test("what is not HOST:PORT is refused with a sentence saying why", arguments: [
        ("8570", "HOST:PORT"), (":8570", "no host"), ("127.0.0.1:", "port"), ("127.0.0.1:0", "port"),
        ("127.0.0.1:70000", "port"), ("127.0.0.1:http", "port"),
    ])
    func refuses(text: String, mention: String) {
        do {
            _ = try HTTPAddress.parse(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.description.contains(mention), "\(error.description)")
        }
    }
}
