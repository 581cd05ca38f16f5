import PostgresNIO

/// The server's own message for a failed PostgreSQL call (postgres-nio hides it from
/// `description`), with its detail when the server gave one.
public enum PostgresMessage {
    public static func of(_ error: Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return message + (error.serverInfo?[.detail].map { " (\($0))" } ?? "")
            }
            return "\(error.code)"
        }
        return "\(error)"
    }
}
