/// Reads the frames of one message in order and names precisely what is missing or wrong.
struct FrameReader {
    private let frames: Slice<Frames>
    private var index: Int
    let command: String
    let limits: ProtocolLimits

    init(_ frames: Slice<Frames>, command: String, limits: ProtocolLimits) {
        self.frames = frames
        self.index = frames.startIndex
        self.command = command
        self.limits = limits
    }

    /// 1-based position of the next frame after the signature and command, for messages.
    private var position: Int { index - frames.startIndex + 3 }

    mutating func next(_ field: String) throws(ProtocolError) -> ArraySlice<UInt8> {
        guard index < frames.endIndex else {
            throw ProtocolError(
                .badRequest, "missing-frame", "\(command) is missing frame \(position) (\(field))")
        }
        defer { index += 1 }
        return frames[index]
    }

    /// The next frame if there is one.
    mutating func optional() -> ArraySlice<UInt8>? {
        guard index < frames.endIndex else { return nil }
        defer { index += 1 }
        return frames[index]
    }

    mutating func text(_ field: String, maxBytes: Int, allowEmpty: Bool = false) throws(ProtocolError) -> String {
        let frame = try next(field)
        return try FrameReader.text(frame, field: field, command: command, maxBytes: maxBytes, allowEmpty: allowEmpty)
    }

    static func text(_ frame: ArraySlice<UInt8>, field: String, command: String, maxBytes: Int, allowEmpty: Bool = false)
        throws(ProtocolError) -> String
    {
        if frame.isEmpty && !allowEmpty {
            throw ProtocolError(.badRequest, "empty-\(field)", "\(command): \(field) must not be empty")
        }
        if frame.count > maxBytes {
            throw ProtocolError(
                .badRequest, "\(field)-too-long",
                "\(command): \(field) is \(frame.count) bytes; the limit is \(maxBytes)")
        }
        // Validated on the frame's bytes in place (the generic initializer would go through the slice's
        // witnesses, on every request id and ticket).
        let validated = frame.withUnsafeBufferPointer { bytes -> String? in
            var ascii = true
            for byte in bytes {
                if byte < 0x20 || byte == 0x7F { return nil }
                if byte >= 0x80 { ascii = false }
            }
            // Printable ASCII is valid UTF-8 as it is; anything else is validated.
            return ascii ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
        }
        guard let text = validated else {
            throw ProtocolError(
                .badRequest, "bad-\(field)", "\(command): \(field) must be printable UTF-8 without control characters")
        }
        return text
    }

    mutating func ticket() throws(ProtocolError) -> String {
        try text("ticket", maxBytes: limits.maxTicketBytes)
    }

    mutating func department() throws(ProtocolError) -> String {
        let frame = try next("department")
        return try DepartmentName.validate(frame, command: command, limits: limits)
    }

    mutating func body(_ field: String = "body") throws(ProtocolError) -> [UInt8] {
        let frame = try next(field)
        try checkSize(frame, field: field)
        return Array(frame)
    }

    mutating func reason() throws(ProtocolError) -> String {
        let frame = try next("reason")
        try checkSize(frame, field: "reason")
        guard let text = String(validating: frame, as: UTF8.self) else {
            throw ProtocolError(.badRequest, "bad-reason", "\(command): reason must be UTF-8")
        }
        return text
    }

    func checkSize(_ frame: ArraySlice<UInt8>, field: String) throws(ProtocolError) {
        if frame.count > limits.maxBodyBytes {
            throw ProtocolError(
                .payloadTooLarge, "\(field)-too-large",
                "\(command): \(field) is \(frame.count) bytes; the limit is \(limits.maxBodyBytes)")
        }
    }

    mutating func metadata(_ field: String) throws(ProtocolError) -> [UInt8] {
        let frame = try next(field)
        if frame.count > limits.maxMetadataBytes {
            throw ProtocolError(
                .payloadTooLarge, "\(field)-too-large",
                "\(command): \(field) is \(frame.count) bytes; the limit is \(limits.maxMetadataBytes)")
        }
        return Array(frame)
    }

    /// Fails if frames are left over: a message with extra frames is malformed, not silently trimmed.
    func end() throws(ProtocolError) {
        if index < frames.endIndex {
            throw ProtocolError(
                .badRequest, "extra-frames",
                "\(command) has \(frames.endIndex - index) unexpected frame(s) after frame \(position - 1)")
        }
    }
}
