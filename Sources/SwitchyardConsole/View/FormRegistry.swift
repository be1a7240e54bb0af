import Synchronization

/// The paths of every form route the console registered, so a test can prove that each one is
/// refused to a viewer.
final class FormRegistry: Sendable {
    private let paths = Mutex<[String]>([])

    /// Creates an empty registry.
    init() {}

    /// Records a form route's path (under the base path, with `:name` parameters).
    func add(_ path: String) { paths.withLock { $0.append(path) } }

    /// The recorded paths, in registration order, once each.
    var all: [String] { paths.withLock { Self.unique($0) } }

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
