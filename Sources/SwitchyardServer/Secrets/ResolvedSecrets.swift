/// The deployment secrets in effect: from the environment, or generated once and stored.
package struct ResolvedSecrets: Sendable {
    /// `SECRET`: signs Switchyard's own tokens.
    package var secret: String
    /// `ENCRYPTION_SECRET`: encrypts credentials at rest.
    package var encryptionSecret: String
    /// Earlier encryption secrets, for reading old ciphertexts.
    package var previousEncryptionSecrets: [String] = []
    /// Names of the secrets that were generated or read from `DATA_DIR` rather than the environment.
    package var fromDataDirectory: [String]
}
