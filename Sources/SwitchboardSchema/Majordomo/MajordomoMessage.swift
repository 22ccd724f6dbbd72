/// A Majordomo message that arrived at the broker, decoded (the ROUTER identity excluded).
public enum MajordomoInbound: Sendable, Equatable {
    /// A client's REQUEST for a service.
    case request(service: String, body: [UInt8])
    /// A worker registers for one service.
    case ready(service: String)
    /// A worker's interim reply (0.2 PARTIAL), addressed with the client-address frame the broker gave it.
    case partial(address: [UInt8], body: [UInt8])
    /// A worker's reply (0.1 REPLY, 0.2 FINAL).
    case final(address: [UInt8], body: [UInt8])
    case heartbeat
    case disconnect
}

/// Decodes and encodes Majordomo messages in each dialect (schemas/PROTOCOL.md, section 14).
public enum Majordomo {
    /// Whether the message (after the identity) claims to be Majordomo: its header frame, after an optional
    /// empty frame, starts with `MDP`.
    public static func claims(_ frames: ArraySlice<[UInt8]>) -> Bool {
        let header = frames.first?.isEmpty == true ? frames.dropFirst().first : frames.first
        return header?.starts(with: "MDP".utf8) ?? false
    }

    public static func claims(_ frames: Slice<Frames>) -> Bool {
        let header = frames.first?.isEmpty == true ? frames.dropFirst().first : frames.first
        return header?.starts(with: "MDP".utf8) ?? false
    }

    /// Decodes a message to the broker; the dialect comes from the framing and the header. Bodies of more
    /// than one frame are refused: a Switchboard request or answer is one body.
    public static func decode(_ frames: ArraySlice<[UInt8]>, limits: ProtocolLimits = .default)
        throws(ProtocolError) -> (message: MajordomoInbound, dialect: MajordomoDialect, isWorker: Bool)
    {
        try decode(Frames(frames)[...], limits: limits)
    }

    /// Decodes a message to the broker, read in place from a received message.
    public static func decode(_ frames: Slice<Frames>, limits: ProtocolLimits = .default)
        throws(ProtocolError) -> (message: MajordomoInbound, dialect: MajordomoDialect, isWorker: Bool)
    {
        var rest = frames
        let delimited = rest.first?.isEmpty == true
        if delimited { rest = rest.dropFirst() }
        guard let header = rest.first else { throw malformed("empty-message", "the message has no header frame") }
        rest = rest.dropFirst()
        switch Array(header) {
        case MajordomoDialect.clientV01 where delimited:
            return (try request(rest, dialect: .v01, limits: limits), .v01, false)
        case MajordomoDialect.clientV02:
            let dialect: MajordomoDialect = delimited ? .majortomo : .rfc18
            guard let command = rest.first, command.count == 1 else {
                throw malformed("missing-command", "\(String(decoding: header, as: UTF8.self)) needs a one-byte command frame")
            }
            guard command.first == dialect.clientRequest else {
                throw malformed(
                    "unknown-command",
                    "command 0x\(String(command.first!, radix: 16)) is not a client REQUEST in \(dialect.rawValue) "
                        + "(0x\(String(dialect.clientRequest!, radix: 16)))")
            }
            return (try request(rest.dropFirst(), dialect: dialect, limits: limits), dialect, false)
        case MajordomoDialect.workerV01 where delimited:
            return (try worker(rest, dialect: .v01, limits: limits), .v01, true)
        case MajordomoDialect.workerV02:
            let dialect: MajordomoDialect = delimited ? .majortomo : .rfc18
            return (try worker(rest, dialect: dialect, limits: limits), dialect, true)
        case MajordomoDialect.clientV01, MajordomoDialect.workerV01:
            throw malformed("missing-delimiter", "MDP 0.1 messages start with an empty frame")
        default:
            throw ProtocolError(
                .versionNotSupported, "unsupported-version",
                "Majordomo header \(Printable.describe(header)) is not supported; this broker speaks MDPC01/MDPW01 "
                    + "and MDPC02/MDPW02")
        }
    }

    private static func request(_ frames: Slice<Frames>, dialect: MajordomoDialect, limits: ProtocolLimits)
        throws(ProtocolError) -> MajordomoInbound
    {
        guard let serviceFrame = frames.first else { throw malformed("missing-frame", "REQUEST has no service frame") }
        let service = try FrameReader.text(
            serviceFrame, field: "service", command: "REQUEST", maxBytes: limits.maxDepartmentBytes)
        return .request(service: service, body: try body(frames.dropFirst(), command: "REQUEST", limits: limits))
    }

    private static func worker(_ frames: Slice<Frames>, dialect: MajordomoDialect, limits: ProtocolLimits)
        throws(ProtocolError) -> MajordomoInbound
    {
        guard let command = frames.first, command.count == 1 else {
            throw malformed("missing-command", "a worker message needs a one-byte command frame")
        }
        let rest = frames.dropFirst()
        let code = command.first!
        switch code {
        case MajordomoDialect.ready:
            guard let serviceFrame = rest.first, rest.count == 1 else {
                throw malformed("bad-frame-count", "READY has exactly one frame after the command: the service")
            }
            let service = try FrameReader.text(
                serviceFrame, field: "service", command: "READY", maxBytes: limits.maxDepartmentBytes)
            return .ready(service: service)
        case let code where code == dialect.workerFinal || code == dialect.workerPartial:
            let name = code == dialect.workerFinal ? (dialect == .v01 ? "REPLY" : "FINAL") : "PARTIAL"
            guard let address = rest.first, !address.isEmpty else {
                throw malformed("missing-frame", "\(name) has no client-address frame")
            }
            guard rest.dropFirst().first?.isEmpty == true else {
                throw malformed("missing-delimiter", "\(name): the client address is followed by an empty frame")
            }
            let body = try body(rest.dropFirst(2), command: name, limits: limits)
            return code == dialect.workerFinal
                ? .final(address: Array(address), body: body) : .partial(address: Array(address), body: body)
        case dialect.heartbeat:
            return .heartbeat
        case dialect.disconnect:
            return .disconnect
        default:
            throw malformed(
                "unknown-command", "worker command 0x\(String(code, radix: 16)) is not known in \(dialect.rawValue)")
        }
    }

    private static func body(_ frames: Slice<Frames>, command: String, limits: ProtocolLimits)
        throws(ProtocolError) -> [UInt8]
    {
        guard frames.count <= 1 else {
            throw malformed("multipart-body", "\(command): Switchboard takes a body of one frame; got \(frames.count)")
        }
        let body = frames.first.map { Array($0) } ?? []
        guard body.count <= limits.maxBodyBytes else {
            throw ProtocolError(
                .payloadTooLarge, "body-too-large",
                "\(command): the body is \(body.count) bytes; the limit is \(limits.maxBodyBytes)")
        }
        return body
    }

    private static func malformed(_ reason: String, _ message: String) -> ProtocolError {
        ProtocolError(.badRequest, reason, message)
    }

    // MARK: Broker → peer

    /// A reply to a client: the answer (`final`) or an update (`partial`, 0.2 only: nil in 0.1).
    public static func reply(service: String, body: [UInt8], final: Bool, dialect: MajordomoDialect) -> [[UInt8]]? {
        var frames: [[UInt8]] = dialect.delimited ? [[]] : []
        frames.append(dialect.clientHeader)
        if dialect != .v01 {
            guard let command = final ? dialect.clientFinal : dialect.clientPartial else { return nil }
            frames.append([command])
        } else if !final {
            return nil
        }
        if dialect.repliesNameTheService { frames.append(Array(service.utf8)) }
        frames.append(body)
        return frames
    }

    /// A REQUEST for a worker; `address` comes back in its reply.
    public static func workerRequest(address: [UInt8], body: [UInt8], dialect: MajordomoDialect) -> [[UInt8]] {
        (dialect.delimited ? [[]] : []) + [dialect.workerHeader, [MajordomoDialect.request], address, [], body]
    }

    public static func heartbeat(_ dialect: MajordomoDialect) -> [[UInt8]] {
        (dialect.delimited ? [[]] : []) + [dialect.workerHeader, [dialect.heartbeat]]
    }

    public static func disconnect(_ dialect: MajordomoDialect) -> [[UInt8]] {
        (dialect.delimited ? [[]] : []) + [dialect.workerHeader, [dialect.disconnect]]
    }
}
