/// Which way a message travels. Decoders check it: an agent may not send ACCEPTED, a worker may not send DISPATCH.
public enum Direction: Sendable, Equatable {
    case toBroker
    case fromBroker
}
