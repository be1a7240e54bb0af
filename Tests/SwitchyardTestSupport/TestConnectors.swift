import Foundation

/// Connector packages the API and console tests share.
package enum TestConnectors {
    /// Connector `bin`: credentials are a user name and password from the connect form
    /// (client-credentials auth with an `inputSchema`), sent as HTTP basic auth to `baseURI` (an
    /// httpbin); its connection test asks `/basic-auth/ada/<password>`, so only user `ada` with
    /// `password` connects.
    package static func basicAuthBin(baseURI: String, password: String) -> [String: Data] {
        [
            "spec.yml": Data(
                """
                key: bin
                name: Bin
                auth:
                  type: client-credentials
                  inputSchema:
                    type: object
                    required: [username, password]
                    properties:
                      username: { type: string, title: User name, pattern: "^[a-z]+$", description: Lower-case letters only }
                      password: { type: string, title: Password }
                  makeApiClient:
                    type: mapping
                    mapping:
                      baseUri: \(baseURI)
                      auth:
                        username: { $var: credentials.username }
                        password: { $var: credentials.password }
                  test:
                    type: rest-api-mapping
                    path: /basic-auth/ada/\(password)
                    method: GET
                """.utf8)
        ]
    }
}
