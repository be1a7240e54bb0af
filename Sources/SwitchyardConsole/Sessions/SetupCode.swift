import Crypto
import Foundation
import Synchronization

/// The one-time code that protects the first-run setup page. Each process draws its own at
/// start and prints it in its log; it is refused once it has been used (and the page is gone
/// once any console account exists).
package final class SetupCode: Sendable {
    /// The code, as printed.
    package let value: String
    private let used = Mutex(false)

    /// Draws a new code: 12 characters from an alphabet without look-alikes, in groups of four.
    package init() {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        value = stride(from: 0, to: 12, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// Creates a code with a known value (tests).
    package init(value: String) {
        self.value = value
    }

    /// Whether the code was used already.
    var isUsed: Bool { used.withLock { $0 } }

    /// Whether `candidate` is the code (compared in constant time, case and spaces ignored)
    /// and not yet used.
    func matches(_ candidate: String) -> Bool {
        let normalize = { (text: String) in Data(text.uppercased().filter { !$0.isWhitespace }.utf8) }
        let expected = SHA256.hash(data: normalize(value))
        let given = SHA256.hash(data: normalize(candidate))
        return !isUsed && expected == given
    }

    /// Marks the code used.
    /// - Returns: `false` when another request used it first.
    func consume() -> Bool {
        used.withLock { used in
            defer { used = true }
            return !used
        }
    }

    /// Makes a consumed code usable again (the account it was for could not be created).
    func release() {
        used.withLock { $0 = false }
    }
}
