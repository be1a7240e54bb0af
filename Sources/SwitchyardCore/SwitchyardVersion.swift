/// The version of this build of Switchyard, reported by `switchyard version` and `GET /`.
package enum SwitchyardVersion {
    /// The semantic version of this release.
    package static let current = "0.1.0"
}
