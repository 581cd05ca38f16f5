import Foundation

/// An access key (and session token), never printed: `description` shows the key id only.
public struct AWSCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var accessKeyId: String
    var secretAccessKey: String
    var sessionToken: String?
    /// Where they came from ("environment", "profile dev in ~/.aws/credentials").
    public var origin: String

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, origin: String = "given") {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.origin = origin
    }

    public var description: String { "access key \(accessKeyId) (from \(origin))" }
    public var debugDescription: String { description }
    /// `dump` and debuggers see no secret either.
    public var customMirror: Mirror { Mirror(self, children: ["accessKeyId": accessKeyId, "origin": origin]) }
}

/// Where lake talks to AWS: credentials, region and endpoint, from the standard chain —
/// the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`),
/// then the shared files (`~/.aws/credentials`, `~/.aws/config`) for `--profile` or
/// `AWS_PROFILE`; region from `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION` or the
/// profile; an endpoint override from `--endpoint-url`, `AWS_ENDPOINT_URL_<SERVICE>` or
/// `AWS_ENDPOINT_URL` (LocalStack, moto, a VPC endpoint).
public struct AWSConfig: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var endpointOverride: String?

    public init(credentials: AWSCredentials, region: String, endpointOverride: String? = nil) {
        self.credentials = credentials
        self.region = region
        self.endpointOverride = endpointOverride
    }

    public static func resolve(profile explicitProfile: String? = nil, region explicitRegion: String? = nil,
                               endpoint explicitEndpoint: String? = nil,
                               environment env: [String: String] = ProcessInfo.processInfo.environment) throws -> AWSConfig {
        let home = env["HOME"] ?? NSHomeDirectory()
        let credentialsFile = env["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        let configFile = env["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        let profile = explicitProfile ?? env["AWS_PROFILE"] ?? "default"
        let fromCredentials = try INIFile.section(profile, in: credentialsFile)
        let fromConfig = try INIFile.section(profile == "default" ? "default" : "profile \(profile)", in: configFile)

        func fromProfile() -> AWSCredentials? {
            for (values, file) in [(fromCredentials, credentialsFile), (fromConfig, configFile)] {
                if let id = values?["aws_access_key_id"], let secret = values?["aws_secret_access_key"] {
                    return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: values?["aws_session_token"],
                                          origin: "profile \(profile) in \(file)")
                }
            }
            return nil
        }
        func fromEnvironment() -> AWSCredentials? {
            guard let id = env["AWS_ACCESS_KEY_ID"], !id.isEmpty, let secret = env["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else { return nil }
            return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: env["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
                                  origin: "the environment")
        }
        // As the AWS CLI does: a profile named on the command line beats the environment.
        let credentials = explicitProfile != nil ? (fromProfile() ?? fromEnvironment()) : (fromEnvironment() ?? fromProfile())
        guard let credentials else {
            if explicitProfile != nil, fromCredentials == nil, fromConfig == nil {
                throw AWSError.configuration("no profile '\(profile)' in \(credentialsFile) or \(configFile)")
            }
            throw AWSError.configuration("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give a profile "
                                         + "with keys in \(credentialsFile) (--profile or AWS_PROFILE)")
        }
        let region = explicitRegion ?? env["AWS_REGION"].flatMap { $0.isEmpty ? nil : $0 }
            ?? env["AWS_DEFAULT_REGION"].flatMap { $0.isEmpty ? nil : $0 } ?? fromConfig?["region"] ?? fromCredentials?["region"]
        guard let region else {
            throw AWSError.configuration("no AWS region: pass --region, set AWS_REGION, or put region= in the profile in \(configFile)")
        }
        let endpoint = explicitEndpoint ?? env["AWS_ENDPOINT_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? fromConfig?["endpoint_url"]
        return AWSConfig(credentials: credentials, region: region, endpointOverride: endpoint)
    }

    /// The service's endpoint: an override (`AWS_ENDPOINT_URL_SQS` beats the general one) or AWS's own.
    public func endpoint(for service: String, environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let specific = env["AWS_ENDPOINT_URL_\(service.uppercased())"], !specific.isEmpty { return specific }
        if let endpointOverride { return endpointOverride }
        return "https://\(service).\(region).amazonaws.com"
    }
}

/// The shared config files' INI format: `[section]`, `key = value`, `#` and `;` comments.
enum INIFile {
    static func section(_ name: String, in path: String) throws -> [String: String]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AWSError.configuration("cannot read \(path)")
        }
        var current: String?
        var found: [String: String]?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if current == name, found == nil { found = [:] }
                continue
            }
            guard current == name, let eq = line.firstIndex(of: "=") else { continue }
            found?[line[..<eq].trimmingCharacters(in: .whitespaces)] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        return found
    }
}
