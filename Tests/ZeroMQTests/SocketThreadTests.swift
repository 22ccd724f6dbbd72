import Foundation
import Testing

@testable import ZeroMQ

@Suite("SocketThread")
struct SocketThreadTests {
    /// The kernel's name of the calling thread, as /proc shows it to `top -H` and `perf`.
    static func kernelName() -> String {
        let text = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return text.trimmingCharacters(in: .newlines)
    }

    @Test("the thread carries its name in the kernel, cut to the 15 bytes the kernel keeps")
    func namesTheThread() async throws {
        for (name, expected) in [("sb-test", "sb-test"), ("a-name-longer-than-fifteen", "a-name-longer-t")] {
            let seen = OneShot<String>()
            let thread = SocketThread<Bool>(name: name)
            try await thread.start { ready in
                seen.fulfil(Self.kernelName())
                ready()
            }
            try await thread.join()
            #expect(await seen.value == expected)
        }
    }
}
