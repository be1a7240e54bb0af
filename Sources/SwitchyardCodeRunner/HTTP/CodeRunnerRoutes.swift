import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import SwitchyardCore

/// The code runner's internal API, for the other roles of one deployment:
///
/// - `POST /api/v2/jobs` takes a ``CodeJob`` and answers with an NDJSON stream of
///   ``RemoteJobEvent``s: `started`, one `request` per API call the job makes, then `result`.
///   A busy runner answers 429 (`Retry-After`), an oversized job 413, before streaming.
/// - `POST /api/v2/jobs/{jobID}/responses` takes a ``RemoteJobResponse`` for a `request`.
///
/// Both need `Authorization: Bearer <token>` with the ``InternalToken`` of the deployment.
package struct CodeRunnerRoutes: Sendable {
    private let runner: CodeRunner
    private let token: InternalToken
    private let sessions = RemoteJobRegistry()

    /// Creates the routes.
    /// - Parameters:
    ///   - runner: The local runner.
    ///   - token: The token callers must present.
    package init(runner: CodeRunner, token: InternalToken) {
        self.runner = runner
        self.token = token
    }

    /// Adds the routes to a router.
    package func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/api/v2/jobs") { request, context in try await self.start(request, context: context) }
        router.post("/api/v2/jobs/{jobID}/responses") { request, context in try await self.respond(request, context: context) }
    }

    private func authorize(_ request: Request) throws {
        guard token.accepts(authorization: request.headers[.authorization]) else {
            throw SwitchyardError(.notAuthenticated, "the code runner accepts only the deployment's internal token")
        }
    }

    private func start<Context: RequestContext>(_ request: Request, context: Context) async throws -> Response {
        try authorize(request)
        let body = try await request.body.collect(upTo: runner.settings.maxInputBytes + 64 * 1024)
        let job: CodeJob
        do {
            job = try JSONDecoder().decode(CodeJob.self, from: Data(buffer: body))
        } catch {
            throw SwitchyardError(.badRequest, "the body is not a job: \(Self.describe(error))")
        }
        let reservation: CodeRunner.Reservation
        do {
            reservation = try await runner.reserve(for: job)
        } catch {
            switch error.type {
            case .busy: throw SwitchyardError(.rateLimitExceeded, error.message, retryAfterSeconds: 1)
            case .inputTooLarge: throw SwitchyardError(.tooLarge, error.message)
            default: throw SwitchyardError(.unavailable, error.message)
            }
        }
        let session = RemoteJobSession(jobID: reservation.jobID)
        sessions.add(session)
        let runner = self.runner
        let sessions = self.sessions
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { sessions.remove(session.jobID) }
            session.emit(RemoteJobEvent(event: "started", jobID: session.jobID))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let result = await runner.run(reservation, bridge: session)
                    session.emit(RemoteJobEvent(event: "result", jobID: session.jobID, result: result))
                    session.finish()
                }
                let encoder = JSONEncoder()
                for await event in session.events {
                    var line = try encoder.encode(event)
                    line.append(0x0A)
                    try await writer.write(ByteBuffer(bytes: line))
                }
                try await group.waitForAll()
            }
            try await writer.finish(nil)
        })
    }

    private func respond<Context: RequestContext>(_ request: Request, context: Context) async throws -> Response {
        try authorize(request)
        let jobID = try context.parameters.require("jobID")
        let body = try await request.body.collect(upTo: 32 * 1024 * 1024)
        let response: RemoteJobResponse
        do {
            response = try JSONDecoder().decode(RemoteJobResponse.self, from: Data(buffer: body))
        } catch {
            throw SwitchyardError(.badRequest, "the body is not a response: \(Self.describe(error))")
        }
        guard let session = sessions.session(jobID), session.resolve(response) else {
            throw SwitchyardError(.notFound, "no job \(jobID) is waiting for request \(response.requestID)")
        }
        return Response(status: .noContent)
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "not valid JSON"
        }
    }
}
