import ArgumentParser
import Foundation
import SwitchyardAPI
import SwitchyardCore
import SwitchyardStore

/// `switchyard workspace`: the workspace key and secret a SaaS backend signs tenant tokens with.
struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Show or rotate the workspace credentials that sign tenant tokens.",
        subcommands: [Credentials.self, RotateSecret.self, SetPublicKey.self]
    )

    struct Credentials: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the default workspace's key and secret (creating the workspace on an empty install).")

        func run() async throws {
            try await CommandSupport.withStore("workspace credentials") { store in
                let (workspace, _) = try await WorkspaceDirectory(records: store.records).defaultWorkspace()
                print("WORKSPACE_KEY=\(workspace.key)")
                print("WORKSPACE_SECRET=\(workspace.secret)")
            }
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret", abstract: "Replace the workspace secret; the old one keeps working for 24 hours."
        )

        func run() async throws {
            try await CommandSupport.withStore("workspace rotate-secret") { store in
                let directory = WorkspaceDirectory(records: store.records)
                let (workspace, _) = try await directory.defaultWorkspace()
                let rotated = try await directory.rotateSecret(key: workspace.key)
                print("WORKSPACE_KEY=\(rotated.key)")
                print("WORKSPACE_SECRET=\(rotated.secret)")
                print("# the previous secret is accepted for 24 more hours")
            }
        }
    }

    struct SetPublicKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-public-key", abstract: "Register a PEM public key (RSA for RS256, P-256 for ES256) tenant tokens may be signed against."
        )
        @Option(help: "A PEM file with the public key.") var file: String?
        @Flag(help: "Remove the registered key.") var clear = false

        func validate() throws {
            guard (file == nil) != !clear else { throw ValidationError("give --file PEM or --clear") }
        }

        func run() async throws {
            var pem: String?
            if let file {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8), text.contains("PUBLIC KEY") else {
                    throw ValidationError("\(file) is not a readable PEM public key")
                }
                pem = text
            }
            let key = pem
            try await CommandSupport.withStore("workspace set-public-key") { store in
                let directory = WorkspaceDirectory(records: store.records)
                let (workspace, _) = try await directory.defaultWorkspace()
                _ = try await directory.setPublicKey(key: workspace.key, pem: key)
                print(key == nil ? "public key removed" : "public key registered")
            }
        }
    }
}
