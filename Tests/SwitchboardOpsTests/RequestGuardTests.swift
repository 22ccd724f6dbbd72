import Testing

@testable import SwitchboardOps

@Suite("Request guard")
struct RequestGuardTests {
    @Test("loopback names and addresses, with or without a port, are loopback; others are not", arguments: [
        ("127.0.0.1:8570", true), ("localhost:8570", true), ("LOCALHOST", true), ("[::1]:8570", true),
        ("127.1.2.3", true), ("evil.example:8570", false), ("10.0.0.5:8570", false), ("", false),
        ("localhost.evil.example", false),
    ])
    func loopback(authority: String, expected: Bool) {
        #expect(RequestGuardMiddleware.isLoopback(authority: authority) == expected)
    }

    @Test("an Origin's authority is compared with the Host header")
    func originAuthority() {
        #expect(RequestGuardMiddleware.authority(ofOrigin: "http://127.0.0.1:8570") == "127.0.0.1:8570")
        #expect(RequestGuardMiddleware.authority(ofOrigin: "https://evil.example/path") == "evil.example")
        #expect(RequestGuardMiddleware.authority(ofOrigin: "null") == "null")
    }
}
