/// Where a replayable stream starts when the group has nothing committed, or when the
/// command line says otherwise (`--reset`, `--from-offset`, `--from-time`).
public enum StreamStart: Sendable {
    case committed
    case earliest
    case latest
    case offset(Int64)
    /// Milliseconds since 1970.
    case time(Int64)
}
