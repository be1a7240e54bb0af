/// One environment variable Switchyard reads: its name, default and meaning.
///
/// The ``ConfigurationCatalogue`` lists them all; `switchyard config check` prints them and a
/// test checks that README.md documents each one.
package struct ConfigurationVariable: Sendable, Hashable {
    /// The environment variable's name.
    package var name: String
    /// The default, as shown to people (empty when there is none).
    package var defaultValue: String
    /// What the variable does.
    package var summary: String
    /// Whether the value is a secret (never printed or logged).
    package var isSecret: Bool

    /// Creates a catalogue entry.
    package init(_ name: String, default defaultValue: String = "", secret: Bool = false, _ summary: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.summary = summary
        self.isSecret = secret
    }
}
