import Foundation

/// The table `switchyard config check` prints: every variable, its effective value and where
/// the value came from. Secret values are never printed, only whether they are set.
package struct ConfigurationReport {
    /// The configuration to describe.
    package let configuration: SwitchyardConfiguration

    /// Creates a report.
    /// - Parameter configuration: The validated configuration.
    package init(configuration: SwitchyardConfiguration) {
        self.configuration = configuration
    }

    /// The rows: name, shown value, source.
    package func rows() -> [(name: String, value: String, source: String)] {
        let environment = configuration.environment
        let store = SecretFileStore(directory: configuration.data.dataDirectory)
        return ConfigurationCatalogue.variables.map { variable in
            let raw = environment[variable.name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            if variable.isSecret {
                if raw != nil { return (variable.name, "(set, hidden)", "environment") }
                if variable.name == "SECRET" || variable.name == "ENCRYPTION_SECRET" {
                    let stored = FileManager.default.fileExists(atPath: store.path(for: variable.name))
                    return (variable.name, stored ? "(stored, hidden)" : "(generated at first start)", "DATA_DIR")
                }
                return (variable.name, variable.defaultValue.isEmpty ? "(not set)" : variable.defaultValue, "default")
            }
            if let raw { return (variable.name, raw, "environment") }
            return (variable.name, variable.defaultValue.isEmpty ? "(not set)" : variable.defaultValue, "default")
        }
    }

    /// The report as text.
    package func render() -> String {
        let rows = rows()
        let nameWidth = rows.map(\.name.count).max() ?? 0
        let valueWidth = min(rows.map(\.value.count).max() ?? 0, 60)
        var lines = [
            "configuration is valid",
            "roles: \(configuration.roles)",
            "database: \(configuration.data.database)",
            "",
        ]
        for row in rows {
            let name = row.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let value = row.value.count > valueWidth ? row.value : row.value.padding(toLength: valueWidth, withPad: " ", startingAt: 0)
            lines.append("\(name)  \(value)  \(row.source)")
        }
        return lines.joined(separator: "\n")
    }
}
