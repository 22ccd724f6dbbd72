/// A native message with what precedes it on the wire: an optional empty delimiter frame (REQ sockets
/// add one; replies then carry one too) and the signature that says which sub-protocol follows.
public enum NativeMessage: Sendable, Equatable {
    case agent(AgentMessage)
    case worker(WorkerMessage)
}

/// Decodes and encodes whole native messages (after the ROUTER identity frame).
public enum Envelope {
    /// Decodes a message that arrived at the broker. `frames` excludes the routing identity.
    /// Returns the message and whether the peer used an empty delimiter frame.
    public static func decodeToBroker(_ frames: ArraySlice<[UInt8]>, limits: ProtocolLimits = .default)
        throws(ProtocolError) -> (message: NativeMessage, delimited: Bool)
    {
        try decodeToBroker(Frames(frames)[...], limits: limits)
    }

    /// Decodes a message that arrived at the broker, read in place. `frames` excludes the routing identity.
    public static func decodeToBroker(_ frames: Slice<Frames>, limits: ProtocolLimits = .default)
        throws(ProtocolError) -> (message: NativeMessage, delimited: Bool)
    {
        var rest = frames
        var delimited = false
        if let first = rest.first, first.isEmpty {
            delimited = true
            rest = rest.dropFirst()
        }
        guard let signatureFrame = rest.first else {
            throw ProtocolError(.badRequest, "empty-message", "message has no signature frame")
        }
        switch try Signature.parse(signatureFrame) {
        case .agent:
            return (.agent(try AgentMessage.decode(rest.dropFirst(), direction: .toBroker, limits: limits)), delimited)
        case .worker:
            return (.worker(try WorkerMessage.decode(rest.dropFirst(), direction: .toBroker, limits: limits)), delimited)
        }
    }
}
