/// A lock between lake processes that its holder gives back with `release()`, or by dying:
/// a file lock on one machine, a PostgreSQL advisory lock across a team's machines.
public protocol HeldLock: AnyObject, Sendable {
    func release()
}

extension FileLock: HeldLock {}
