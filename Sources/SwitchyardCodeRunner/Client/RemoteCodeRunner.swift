import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SwitchyardCore

/// Runs jobs on a code runner role reached over HTTP (`CUSTOM_CODE_RUNNER_URI`). The job's API
/// calls come back on the response stream; this side performs them with the caller's bridge
/// (where credentials are added) and posts the answers back.
package struct RemoteCodeRunner: CodeExecutor {
    private let baseURL: String
    private let token: InternalToken
    private let client: HTTPClient

    /// Creates a client.
    /// - Parameters:
    ///   - baseURL: The runner's base URL, without a trailing slash.
    ///   - token: The deployment's internal token.
    ///   - client: The HTTP client to use.
    package init(baseURL: String, token: InternalToken, client: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.client = client
    }

    /// Checks that the runner answers its health endpoint.
    /// - Throws: ``CodeRunError`` `unavailable` naming the status or the connection failure.
    package func probe() async throws(CodeRunError) {
        do {
            let response = try await client.execute(HTTPClientRequest(url: baseURL + "/api/v2/health"), timeout: .seconds(5))
            guard response.status == .ok else {
                throw CodeRunError(.unavailable, "code runner at \(baseURL) answered \(response.status.code)")
            }
        } catch let error as CodeRunError {
            throw error
        } catch {
            throw CodeRunError(.unavailable, "code runner at \(baseURL) is not reachable: \(error)")
        }
    }

    package func run<Bridge: SandboxAPIBridge>(_ job: CodeJob, bridge: Bridge) async -> CodeRunResult {
        do {
            return try await execute(job, bridge: bridge)
        } catch let error as CodeRunError {
            return .failure(error)
        } catch {
            return .failure(CodeRunError(.unavailable, "code runner at \(baseURL) failed: \(error)"))
        }
    }

    private func execute<Bridge: SandboxAPIBridge>(_ job: CodeJob, bridge: Bridge) async throws -> CodeRunResult {
        var request = HTTPClientRequest(url: baseURL + "/api/v2/jobs")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token.value)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(job)))
        let limit = TimeAmount.seconds(Int64(job.timeoutMilliseconds ?? 300_000) / 1000 + 30)
        let response = try await client.execute(request, timeout: limit)
        guard response.status == .ok else {
            let body = try await response.body.collect(upTo: 1024 * 1024)
            let message = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(buffer: body)))?["message"]?.stringValue
            let kind: CodeRunError.Kind =
                switch response.status.code {
                case 429: .busy
                case 413: .inputTooLarge
                default: .unavailable
                }
            throw CodeRunError(kind, message ?? "code runner answered \(response.status.code)")
        }
        return try await withThrowingTaskGroup(of: Void.self) { calls in
            defer { calls.cancelAll() }
            var pending = Data()
            let decoder = JSONDecoder()
            for try await chunk in response.body {
                pending.append(contentsOf: chunk.readableBytesView)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    pending.removeSubrange(pending.startIndex...newline)
                    let event = try decoder.decode(RemoteJobEvent.self, from: line)
                    switch event.event {
                    case "request":
                        guard let id = event.requestID, let call = event.request else { continue }
                        calls.addTask { try await answer(jobID: event.jobID, requestID: id, call: call, bridge: bridge) }
                    case "result":
                        if let result = event.result { return result }
                    default:
                        continue
                    }
                }
            }
            throw CodeRunError(.unavailable, "the code runner closed the stream without a result")
        }
    }

    private func answer<Bridge: SandboxAPIBridge>(jobID: String, requestID: Int, call: SandboxAPIRequest, bridge: Bridge) async throws {
        let reply: RemoteJobResponse
        do {
            reply = RemoteJobResponse(requestID: requestID, data: try await bridge.perform(call))
        } catch {
            reply = RemoteJobResponse(requestID: requestID, error: String(describing: error))
        }
        var request = HTTPClientRequest(url: baseURL + "/api/v2/jobs/\(jobID)/responses")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token.value)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(reply)))
        _ = try await client.execute(request, timeout: .seconds(30))
    }
}
