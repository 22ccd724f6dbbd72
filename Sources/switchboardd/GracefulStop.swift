import ServiceLifecycle
import Synchronization

/// Lets the HTTP surface (`switchboard drain-daemon`) stop the daemon as SIGTERM does: the service group,
/// made after the services that need to reach it, is attached once it exists.
final class GracefulStop: Sendable {
    private let group = Mutex<ServiceGroup?>(nil)

    func attach(_ group: ServiceGroup) {
        self.group.withLock { $0 = group }
    }

    func trigger() async {
        guard let group = group.withLock({ $0 }) else { return }
        await group.triggerGracefulShutdown()
    }
}
