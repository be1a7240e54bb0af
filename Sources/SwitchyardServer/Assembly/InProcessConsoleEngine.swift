import Foundation
import HTTPTypes
import Logging
import SwitchyardAPI
import SwitchyardConsole
import SwitchyardCore
import SwitchyardHTTP

/// The console's engine when the `api` role runs in the same process: each request is answered
/// by the API's own route table and handlers, as the default workspace's admin, without a
/// token or a socket. Errors become the API's error answers (same status and body as over HTTP).
struct InProcessConsoleEngine: ConsoleEngine {
    /// The API's pipeline.
    let api: APIPipeline
    /// The workspace the console works on.
    let workspace: ConsoleWorkspace
    /// Where failures inside Switchyard are logged (as the API's error middleware does).
    let logger: Logger

    func send(_ request: EngineRequest, for user: ConsoleSignIn) async throws(SwitchyardError) -> EngineResponse {
        let caller = Caller(workspaceID: try await workspace.key(), tenantID: nil, tenantKey: nil, isAdmin: true)
        var call = InProcessCall(method: request.method, path: request.path, query: request.query)
        switch request.body {
        case .json(let value): call.body = value
        case .raw(let bytes, let contentType): call.rawBody = (bytes, contentType)
        case nil: break
        }
        do {
            let (status, result) = try await api.call(call, caller: caller)
            switch result {
            case .json(let value):
                return EngineResponse(status: status, contentType: "application/json; charset=utf-8", body: Array(value.jsonText.utf8))
            case .file(let bytes, let contentType, let filename):
                return EngineResponse(status: status, contentType: contentType, body: bytes, filename: filename)
            }
        } catch {
            if error.key == .internal {
                logger.error("console call \(request.method.rawValue) \(request.path) failed: \(error.message) \(error.internalDetail ?? "")")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = (try? encoder.encode(APIErrorBody(error))).map { Array($0) } ?? Array(#"{"key":"internal","type":"internal"}"#.utf8)
            return EngineResponse(status: Int(HTTPStatusMapping.status(for: error.key).code), contentType: "application/json", body: body)
        }
    }
}
