import ArgumentParser
import Foundation
import SwitchyardConsole
import SwitchyardCore
import SwitchyardStore

/// `switchyard console users`: the console's built-in accounts, from the command line.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Manage the admin console.",
        subcommands: [Users.self]
    )

    /// `console users`: the account subcommands.
    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add, reset the password of, or remove a console user.",
            subcommands: [Add.self, ResetPassword.self, Remove.self]
        )
    }

    /// `console users add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a console user; without --password-stdin a random password is generated and printed once.")
        @Option(help: "The user's email (their sign-in name).") var email: String
        @Option(help: "The user's name.") var name: String
        @Option(help: "admin, member or viewer.") var role: String = "member"
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false
        @Flag(help: "No password: an invitation, the user signs in through OpenID Connect only.") var noPassword = false

        func validate() throws {
            guard ConsoleAccounts.roles.contains(role) else { throw ValidationError("--role must be admin, member or viewer") }
            if noPassword && passwordStdin { throw ValidationError("--no-password and --password-stdin exclude each other") }
        }

        func run() async throws {
            let (email, name, role) = (email, name, role)
            if noPassword {
                try await CommandSupport.withStore("console users add") { store in
                    let account = try await ConsoleAssembly.accounts(store.records).addWithoutPassword(email: email, name: name, role: role)
                    print("added console user \(account.email) (\(account.role)) with no password (an invitation to sign in through OpenID Connect)")
                }
                return
            }
            let (password, generated) = try ConsoleCommand.password(fromStandardInput: passwordStdin)
            try await CommandSupport.withStore("console users add") { store in
                let account = try await ConsoleAssembly.accounts(store.records).add(email: email, name: name, role: role, password: password)
                print("added console user \(account.email) (\(account.role))")
                if generated { print("password: \(password)") }
            }
        }
    }

    /// `console users reset-password`.
    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Set a console user's password; without --password-stdin a random one is generated and printed once.")
        @Option(help: "The user's email.") var email: String
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false

        func run() async throws {
            let (password, generated) = try ConsoleCommand.password(fromStandardInput: passwordStdin)
            let email = email
            try await CommandSupport.withStore("console users reset-password") { store in
                try await ConsoleAssembly.accounts(store.records).resetPassword(email: email, password: password)
                print("password of \(email.lowercased()) changed")
                if generated { print("password: \(password)") }
            }
        }
    }

    /// `console users remove`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a console user; their sessions end at once.")
        @Option(help: "The user's email.") var email: String

        func run() async throws {
            let email = email
            try await CommandSupport.withStore("console users remove") { store in
                try await ConsoleAssembly.accounts(store.records).remove(email: email)
                print("removed console user \(email.lowercased())")
            }
        }
    }

    /// The password from standard input's first line, or a generated one.
    /// - Throws: A validation error for a missing or too short password.
    static func password(fromStandardInput: Bool) throws -> (String, generated: Bool) {
        guard fromStandardInput else {
            let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
            var generator = SystemRandomNumberGenerator()
            return (String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }), true)
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("--password-stdin: standard input has no password")
        }
        do {
            try ConsoleAccounts.validate(password: line)
        } catch {
            throw ValidationError(error.message)
        }
        return (line, false)
    }
}
