import Foundation
import SwitchboardSchema
import Testing

/// The golden vectors in `schemas/vectors` (see its README), read from the repository this file is in.
enum GoldenVectors {
    /// The repository root: this file is `Tests/SwitchboardSchemaTests/GoldenVector.swift`.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let directory = repositoryRoot.appendingPathComponent("schemas/vectors")
    static let schemas = repositoryRoot.appendingPathComponent("schemas")

    /// File names (`agent-submit.json`) of the vectors in `folder`, sorted; empty if the folder is missing.
    static func files(in folder: String) -> [String] {
        let url = folder.isEmpty ? directory : directory.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }

    static func load<T: Decodable>(_ type: T.Type, _ folder: String, _ file: String) throws -> T {
        let url = (folder.isEmpty ? directory : directory.appendingPathComponent(folder)).appendingPathComponent(file)
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// A schema file from `schemas/` as a plain JSON object.
    static func schema(_ file: String) throws -> [String: Any] {
        let data = try Data(contentsOf: schemas.appendingPathComponent(file))
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

/// `schemas/PROTOCOL.md`, read by the tests that keep it and the code in step.
enum ProtocolDocument {
    static func text() throws -> String {
        try String(contentsOf: GoldenVectors.schemas.appendingPathComponent("PROTOCOL.md"), encoding: .utf8)
    }

    /// The lines of the section whose heading starts with `heading`, up to the next heading of any level.
    static func section(_ heading: String) throws -> [Substring] {
        let lines = try text().split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.hasPrefix(heading) }, "\(heading) in PROTOCOL.md")
        let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("#") } ?? lines.endIndex
        return Array(lines[start..<end])
    }

    /// The cells of each table row (`| a | b |` gives `["a", "b"]`), header and separator rows included.
    static func rows(_ lines: [Substring]) -> [[String]] {
        lines.filter { $0.hasPrefix("| ") }.map { line in
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }
}

/// A message that decodes and re-encodes to exactly its bytes.
struct ValidVector: Decodable {
    var name: String
    var description: String
    var signature: String
    var direction: String
    var command: String
    var delimited: Bool
    var framesHex: [String]
    var framesText: [String?]

    enum CodingKeys: String, CodingKey {
        case name, description, signature, direction, command, delimited
        case framesHex = "frames_hex"
        case framesText = "frames_text"
    }

    func frames() throws -> [[UInt8]] { try framesHex.map(Hex.decode) }
}

/// A message every decoder must refuse with `expect.status` and `expect.error`.
struct InvalidVector: Decodable {
    struct Expectation: Decodable {
        var status: Int
        var error: String
    }

    /// Replaces frame `frame` (0-based) with `count` copies of `byte` (two hex digits).
    struct Repeat: Decodable {
        var frame: Int
        var byte: String
        var count: Int
    }

    var name: String
    var description: String
    var direction: String
    var framesHex: [String]
    var bodyRepeat: Repeat?
    var expect: Expectation

    enum CodingKeys: String, CodingKey {
        case name, description, direction, expect
        case framesHex = "frames_hex"
        case bodyRepeat = "body_repeat"
    }

    func frames() throws -> [[UInt8]] {
        var frames = try framesHex.map(Hex.decode)
        if let bodyRepeat {
            let byte = try Hex.decode(bodyRepeat.byte)
            guard byte.count == 1, frames.indices.contains(bodyRepeat.frame) else { throw Hex.Failure.badRepeat(name) }
            frames[bodyRepeat.frame] = [UInt8](repeating: byte[0], count: bodyRepeat.count)
        }
        return frames
    }
}

/// An event as published: the topic frame and the JSON frame.
struct EventVector: Decodable {
    var name: String
    var description: String
    var framesHex: [String]

    enum CodingKeys: String, CodingKey {
        case name, description
        case framesHex = "frames_hex"
    }
}

enum Hex {
    enum Failure: Error { case badHex(String), badRepeat(String) }

    static func decode(_ text: String) throws -> [UInt8] {
        let digits = Array(text.utf8)
        guard digits.count.isMultiple(of: 2) else { throw Failure.badHex(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else {
                throw Failure.badHex(text)
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    /// Lowercase only: the vectors are written that way, so an uppercase digit is a mistake in a vector.
    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }
}

/// Decodes the way a peer does, including what comes after the frames: a READY's JSON is validated too.
enum WireDecoder {
    static func decode(_ frames: [[UInt8]], direction: String) throws(ProtocolError) -> (NativeMessage, Bool) {
        let decoded = direction == "to_broker" ? try Envelope.decodeToBroker(frames[...]) : try fromBroker(frames[...])
        if case let .worker(.ready(info)) = decoded.message {
            _ = try ReadyInfo.parse(info)
        }
        return decoded
    }

    /// What an agent or worker library does with a message from the broker (Envelope covers the other way).
    static func fromBroker(_ frames: ArraySlice<[UInt8]>) throws(ProtocolError)
        -> (message: NativeMessage, delimited: Bool)
    {
        var rest = frames
        var delimited = false
        if let first = rest.first, first.isEmpty {
            delimited = true
            rest = rest.dropFirst()
        }
        guard let signature = rest.first else {
            throw ProtocolError(.badRequest, "empty-message", "message has no signature frame")
        }
        switch try Signature.parse(signature) {
        case .agent:
            return (.agent(try AgentMessage.decode(rest.dropFirst(), direction: .fromBroker)), delimited)
        case .worker:
            return (.worker(try WorkerMessage.decode(rest.dropFirst(), direction: .fromBroker)), delimited)
        }
    }
}

extension NativeMessage {
    var commandName: String {
        switch self {
        case let .agent(message): message.command.description
        case let .worker(message): message.command.description
        }
    }

    var signature: Signature {
        switch self {
        case .agent: .agent
        case .worker: .worker
        }
    }

    func encode() -> [[UInt8]] {
        switch self {
        case let .agent(message): message.encode()
        case let .worker(message): message.encode()
        }
    }
}
