/// Size limits every decoder enforces. Documented in `schemas/PROTOCOL.md`, section "Limits".
public struct ProtocolLimits: Sendable, Equatable {
    /// Largest request body, answer, update, reason, question or info the broker takes (default 1 MiB).
    public var maxBodyBytes: Int
    /// Longest client request id (default 128 bytes).
    public var maxRequestIDBytes: Int = 128
    /// Longest department name (64 bytes).
    public var maxDepartmentBytes: Int = 64
    /// Longest ticket (64 bytes).
    public var maxTicketBytes: Int = 64
    /// Largest JSON metadata frame (READY, STATUS, ERROR): 64 KiB.
    public var maxMetadataBytes: Int = 64 * 1024

    public static let defaultMaxBodyBytes = 1024 * 1024

    public init(maxBodyBytes: Int = ProtocolLimits.defaultMaxBodyBytes) {
        self.maxBodyBytes = maxBodyBytes
    }

    public static let `default` = ProtocolLimits()
}
