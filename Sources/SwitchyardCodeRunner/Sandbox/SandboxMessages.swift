import Foundation
import SwitchyardCore

/// Messages the engine writes to a sandbox process.
enum SandboxMessages {
    private struct Run: Encodable {
        let type = "run"
        let jobId: String
        let code: String
        let exportName: String?
        let input: JSONValue
        let credentials: JSONValue?
        let parameters: JSONValue?
        let connectorParameters: JSONValue?
        let maxLogBytes: Int
        let maxOutputBytes: Int
    }

    private struct Response: Encodable {
        let type = "response"
        let requestId: Int
        let data: JSONValue?
        let error: String?
    }

    static func run(_ job: CodeJob, jobID: String, settings: CodeRunnerSettings) throws -> Data {
        try JSONEncoder().encode(
            Run(
                jobId: jobID, code: job.code, exportName: job.exportName, input: job.input, credentials: job.credentials,
                parameters: job.parameters, connectorParameters: job.connectorParameters,
                maxLogBytes: settings.maxLogBytes, maxOutputBytes: settings.maxOutputBytes
            )
        )
    }

    static func response(requestID: Int, data: JSONValue?, error: String?) -> Data {
        (try? JSONEncoder().encode(Response(requestId: requestID, data: data, error: error))) ?? Data()
    }
}
