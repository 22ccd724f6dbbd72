import ArgumentParser
import Foundation
import ZeroMQ

/// `switchboard keygen NAME`: a CURVE key pair as ZeroMQ certificate files.
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a CURVE key pair: NAME.key (public: give it to the broker's operator) and NAME.key_secret (keep it).",
        discussion: """
            The files use ZeroMQ's certificate format (as czmq's zcert). The broker's own pair goes in \
            security.key (its _secret file); each peer's public file (or its key) goes in security.principals.
            """)

    @Argument(help: "A name for the key pair (the principal's name is a good choice).")
    var name: String

    @Option(help: "Where to write the files.")
    var directory: String = "."

    @Flag(help: "Overwrite existing files.")
    var force = false

    func validate() throws {
        guard !name.isEmpty, !name.contains("/"), name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ValidationError("the name may hold letters, digits, '-', '_' and '.'")
        }
    }

    func run() throws {
        let pair = try CurveKeyPair.generate()
        let certificate = CurveCertificate(
            publicKey: pair.publicKey, secretKey: pair.secretKey, metadata: [("name", name)])
        let base = (directory as NSString).appendingPathComponent(name)
        let publicPath = base + ".key", secretPath = base + ".key_secret"
        for path in [publicPath, secretPath] where !force && FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists; use --force to overwrite it")
        }
        try certificate.text(includingSecret: false).write(toFile: publicPath, atomically: true, encoding: .utf8)
        // The secret file is created readable by its owner only, before anything is written to it.
        FileManager.default.createFile(atPath: secretPath, contents: nil, attributes: [.posixPermissions: 0o600])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretPath)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: secretPath))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(certificate.text(includingSecret: true).utf8))
        try handle.close()
        print("public key  \(pair.publicKeyZ85)")
        print("wrote \(publicPath) (public) and \(secretPath) (secret, mode 600)")
    }
}
