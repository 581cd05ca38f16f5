import Crypto
import Foundation

/// SASL inside Kafka requests: SaslHandshake names the mechanism, SaslAuthenticate carries
/// its messages. PLAIN sends the name and password once (use it over TLS); SCRAM (RFC 5802,
/// 7677) proves the password without sending it and checks the broker's signature back.
enum KafkaSASL {
    static func authenticate(_ connection: KafkaConnection, with sasl: KafkaSettings.SASL) async throws {
        let mechanism = sasl.mechanism.rawValue
        let handshake = try await connection.send(SaslHandshakeRequest(mechanism: mechanism))
        guard handshake.errorCode == 0 else {
            throw KafkaError.authentication(broker: connection.broker, mechanism: mechanism, user: sasl.username,
                                            detail: "the broker offers \(handshake.mechanisms.joined(separator: ", ")) (\(KafkaErrorCode.name(handshake.errorCode)))")
        }
        func exchange(_ bytes: [UInt8]) async throws -> [UInt8] {
            let answer = try await connection.send(SaslAuthenticateRequest(bytes: bytes))
            guard answer.errorCode == 0 else {
                // The broker's message never holds the password; it is shown as given.
                throw KafkaError.authentication(broker: connection.broker, mechanism: mechanism, user: sasl.username,
                                                detail: answer.message ?? KafkaErrorCode.name(answer.errorCode))
            }
            return answer.bytes
        }
        switch sasl.mechanism {
        case .plain:
            _ = try await exchange([0] + Array(sasl.username.utf8) + [0] + Array(sasl.password.utf8))
        case .scramSHA256, .scramSHA512:
            var scram = ScramClient(username: sasl.username, password: sasl.password, sha512: sasl.mechanism == .scramSHA512)
            let serverFirst = try await exchange(Array(scram.clientFirst().utf8))
            let clientFinal = try scram.clientFinal(serverFirst: String(decoding: serverFirst, as: UTF8.self))
            let serverFinal = try await exchange(Array(clientFinal.utf8))
            do { try scram.verify(serverFinal: String(decoding: serverFinal, as: UTF8.self)) } catch {
                throw KafkaError.authentication(broker: connection.broker, mechanism: mechanism, user: sasl.username, detail: "\(error)")
            }
        }
    }
}

/// The client side of SCRAM-SHA-256/512 (no channel binding).
struct ScramClient {
    enum Failure: Error, CustomStringConvertible {
        case badServerMessage(String)
        case serverSignature
        var description: String {
            switch self {
            case let .badServerMessage(why): return "the broker's SCRAM message is not usable: \(why)"
            case .serverSignature: return "the broker's SCRAM signature does not match: it does not know this password"
            }
        }
    }

    let username: String
    let password: String
    let sha512: Bool
    let nonce: String
    private var clientFirstBare = ""
    private var expectedServerSignature: [UInt8] = []

    init(username: String, password: String, sha512: Bool, nonce: String? = nil) {
        self.username = username
        self.password = password
        self.sha512 = sha512
        self.nonce = nonce ?? Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            .replacingOccurrences(of: ",", with: "-")
    }

    mutating func clientFirst() -> String {
        let name = username.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
        clientFirstBare = "n=\(name),r=\(nonce)"
        return "n,," + clientFirstBare
    }

    mutating func clientFinal(serverFirst: String) throws -> String {
        var fields: [Character: String] = [:]
        for part in serverFirst.split(separator: ",") where part.count >= 2 && part.dropFirst().first == "=" {
            fields[part.first!] = String(part.dropFirst(2))
        }
        if let error = fields["e"] { throw Failure.badServerMessage(error) }
        guard let combined = fields["r"], combined.hasPrefix(nonce) else { throw Failure.badServerMessage("its nonce does not extend ours") }
        guard let saltText = fields["s"], let salt = Data(base64Encoded: saltText) else { throw Failure.badServerMessage("no salt") }
        guard let iterations = fields["i"].flatMap(Int.init), iterations >= 1 else { throw Failure.badServerMessage("no iteration count") }
        let salted = hi(Array(password.utf8), salt: Array(salt), iterations: iterations)
        let clientKey = hmac(salted, Array("Client Key".utf8))
        let storedKey = hash(clientKey)
        let withoutProof = "c=biws,r=\(combined)"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let signature = hmac(storedKey, authMessage)
        let proof = zip(clientKey, signature).map { $0 ^ $1 }
        expectedServerSignature = hmac(hmac(salted, Array("Server Key".utf8)), authMessage)
        return "\(withoutProof),p=\(Data(proof).base64EncodedString())"
    }

    func verify(serverFinal: String) throws {
        if serverFinal.hasPrefix("e=") { throw Failure.badServerMessage(String(serverFinal.dropFirst(2))) }
        guard serverFinal.hasPrefix("v="), let signature = Data(base64Encoded: String(serverFinal.dropFirst(2).prefix { $0 != "," })) else {
            throw Failure.badServerMessage("no server signature")
        }
        guard Array(signature) == expectedServerSignature else { throw Failure.serverSignature }
    }

    private func hmac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: key)
        return sha512 ? Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
                      : Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    private func hash(_ bytes: [UInt8]) -> [UInt8] {
        sha512 ? Array(SHA512.hash(data: bytes)) : Array(SHA256.hash(data: bytes))
    }

    /// PBKDF2 with HMAC, one block (the key is as long as the hash).
    private func hi(_ password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var u = hmac(password, salt + [0, 0, 0, 1])
        var result = u
        for _ in 1..<iterations {
            u = hmac(password, u)
            for i in result.indices { result[i] ^= u[i] }
        }
        return result
    }
}
