import Foundation
import LakeCore
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL database is (a captured one, or a team lake's catalog): `postgres://USER@HOST:PORT/DB[?sslmode=…&sslrootcert=FILE]`.
/// The password never comes from the URL (it would be in shell history and `ps`): it comes
/// from `--password-env VAR`, `PGPASSWORD`, or `~/.pgpass` (`PGPASSFILE`), as libpq reads them.
public struct PostgresSettings: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    var password: String?
    public var sslMode: String
    public var rootCert: String?

    /// `postgres://host:port/db`: the source name lake records, without the user.
    public var sourceID: String { "postgres://\(host):\(port)/\(database)" }

    /// How to connect again, without the password: `postgres://user@host:port/db[?sslmode=…]`.
    public var connectionURL: String {
        var url = "postgres://\(user)@\(host):\(port)/\(database)"
        var query: [String] = []
        if sslMode != "prefer" { query.append("sslmode=\(sslMode)") }
        if let rootCert { query.append("sslrootcert=\(rootCert)") }
        if !query.isEmpty { url += "?" + query.joined(separator: "&") }
        return url
    }

    /// Errors name `stage` ("CDC" for a captured database, "Catalog" for a team lake's catalog).
    public static func parse(_ url: String, passwordEnv: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                             stage: String = "CDC") throws -> PostgresSettings {
        func invalid(_ message: String) -> PostgresURLError { PostgresURLError(stage: stage, message: message) }
        guard let c = URLComponents(string: url), c.scheme == "postgres" || c.scheme == "postgresql",
              let host = c.host, !host.isEmpty else {
            throw invalid("'\(url)' is not postgres://USER@HOST:PORT/DB")
        }
        if c.password != nil {
            throw invalid("put no password in the URL: give it in PGPASSWORD, ~/.pgpass or --password-env VAR")
        }
        let database = String(c.path.drop { $0 == "/" })
        let user = c.user ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        var settings = PostgresSettings(host: host, port: c.port ?? 5432, user: user,
                                        database: database.isEmpty ? user : database, password: nil,
                                        sslMode: c.queryItems?.first { $0.name == "sslmode" }?.value ?? environment["PGSSLMODE"] ?? "prefer",
                                        rootCert: c.queryItems?.first { $0.name == "sslrootcert" }?.value ?? environment["PGSSLROOTCERT"])
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(settings.sslMode) else {
            throw invalid("sslmode '\(settings.sslMode)' is not disable, prefer, require, verify-ca or verify-full")
        }
        if let variable = passwordEnv {
            guard let value = environment[variable] else {
                throw invalid("--password-env names \(variable), which is not set")
            }
            settings.password = value
        } else if let value = environment["PGPASSWORD"] {
            settings.password = value
        } else {
            let file = environment["PGPASSFILE"] ?? (NSHomeDirectory() + "/.pgpass")
            settings.password = Self.pgpass(file: file, host: host, port: settings.port, database: settings.database, user: user)
        }
        return settings
    }

    /// The first matching line of a .pgpass file (`host:port:db:user:password`, `*` matches
    /// anything, `\:` and `\\` escape).
    static func pgpass(file: String, host: String, port: Int, database: String, user: String) -> String? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = [], current = "", escaped = false
            for ch in line {
                if escaped { current.append(ch); escaped = false } else if ch == "\\" { escaped = true }
                else if ch == ":", fields.count < 4 { fields.append(current); current = "" } else { current.append(ch) }
            }
            fields.append(current)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    public func configuration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable", "allow": tls = .disable
        default:
            var config = TLSConfiguration.makeClientConfiguration()
            if sslMode == "verify-ca" || sslMode == "verify-full" {
                if let rootCert {
                    config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCert))
                }
                config.certificateVerification = sslMode == "verify-full" ? .fullVerification : .noHostnameVerification
            } else {
                config.certificateVerification = .none
            }
            let context = try NIOSSLContext(configuration: config)
            tls = sslMode == "prefer" ? .prefer(context) : .require(context)
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password,
                                                             database: database, tls: tls)
        // Values arrive in their text output: make timestamps UTC and dates ISO.
        configuration.options.additionalStartupParameters = [("TimeZone", "UTC"), ("DateStyle", "ISO, YMD"),
                                                             ("application_name", "lake")]
        return configuration
    }
}

/// A PostgreSQL URL or its password source that cannot be used, and what to give instead.
public struct PostgresURLError: LakeError {
    public let stage: String
    public let message: String
}
