import Synchronization

/// The security configuration in force, shared by the ZAP handler (handshakes) and the broker (every
/// command); SIGHUP replaces it, and both see the new one from their next decision on.
final class SecurityState: Sendable {
    private let current: Mutex<SecurityConfiguration>

    init(_ configuration: SecurityConfiguration) {
        current = Mutex(configuration)
    }

    var configuration: SecurityConfiguration { current.withLock { $0 } }

    func replace(_ configuration: SecurityConfiguration) {
        current.withLock { $0 = configuration }
    }
}
