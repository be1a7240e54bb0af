import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardHTTP
import SwitchyardStore

/// The REST API's operations in one table: what the router serves (through ``APIPipeline``),
/// what ``OpenAPIDocument`` describes, and what the isolation tests enumerate. Each operation
/// is answered by ``respond(_:request:context:)``: access check, body parsing, the handler, and
/// the JSON (or file) response.
package struct APIRoutes: Sendable {
    /// Every operation.
    package let all: [APIRoute]
    private let maxResponseBytes: Int

    /// Builds the table.
    /// - Parameter maxResponseBytes: The largest response (`MAX_RESPONSE_SIZE_MB`); a larger
    ///   one is answered 413.
    package init(dependencies: APIDependencies, maxResponseBytes: Int = 30 << 20) {
        all =
            SelfRoutes.routes(dependencies) + CustomerRoutes.routes(dependencies) + IntegrationRoutes.routes(dependencies)
            + ConnectorRoutes.routes(dependencies) + ConnectorPackageRoutes.routes(dependencies) + ConnectionRoutes.routes(dependencies)
            + ConnectionRequestRoutes.routes(dependencies) + BackgroundJobRoutes.routes(dependencies)
            + ElementRoutes.routes(dependencies) + FieldMappingInstanceRoutes.routes(dependencies) + DataLinkRoutes.routes(dependencies)
            + ActionRunRoutes.routes(dependencies)
            + FlowRunRoutes.routes(dependencies) + FlowInstanceRoutes.routes(dependencies) + FlowTriggerRoutes.routes(dependencies)
            + DataRecordRoutes.routes(dependencies) + DataSourceInstanceRoutes.routes(dependencies) + ExternalEventRoutes.routes(dependencies)
            + ExternalAPILogRoutes.routes(dependencies) + WebhookRoutes.routes(dependencies) + PlatformUserRoutes.routes(dependencies)
            + WorkspaceRoutes.routes(dependencies) + LimitRoutes.routes(dependencies) + StatusRoutes.routes(dependencies)
            + AppEventTypeRoutes.routes(dependencies) + AppEventRoutes.routes(dependencies)
        self.maxResponseBytes = maxResponseBytes
    }

    /// Answers one operation for the caller the pipeline authenticated.
    func respond(_ route: APIRoute, request: Request, context: SwitchyardRequestContext) async throws -> Response {
        guard let caller = context.caller else { throw SwitchyardError(.notAuthenticated, "send a token as Authorization: Bearer <token>") }
        if route.access == .admin, !caller.isAdmin {
            throw SwitchyardError(.accessDenied, "\(route.method.rawValue) \(route.path) needs an admin token")
        }
        var body: JSONValue?
        var rawBody: [UInt8]?
        if route.requestSchema != nil {
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            if !route.takesJSON {
                rawBody = Array(buffer.readableBytesView)
            } else if buffer.readableBytes > 0 {
                guard let parsed = try? JSONValue.parse(String(buffer: buffer)) else {
                    throw SwitchyardError(.badRequest, "the request body is not valid JSON")
                }
                body = parsed
            }
        }
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        var parameters: [String: String] = [:]
        for parameter in route.parameters where parameter.location == "path" {
            parameters[parameter.name] = context.parameters.get(parameter.name)?.removingPercentEncoding ?? context.parameters.get(parameter.name)
        }
        let result = try await route.handler(
            APIRequest(
                caller: caller, pathParameters: parameters, query: query, body: body, rawBody: rawBody, contentType: request.headers[.contentType])
        )
        var headers = HTTPFields()
        let buffer: ByteBuffer
        switch result {
        case .json(let value):
            buffer = ByteBuffer(bytes: value.jsonBytes)
            headers[.contentType] = "application/json; charset=utf-8"
        case .file(let bytes, let contentType, let filename):
            buffer = ByteBuffer(bytes: bytes)
            headers[.contentType] = contentType
            headers[.contentDisposition] = "attachment; filename=\"\(filename.filter { $0.isASCII && $0 != "\"" && $0 != "\\" })\""
        }
        guard buffer.readableBytes <= maxResponseBytes else {
            throw SwitchyardError(.tooLarge, "the response would be larger than \(maxResponseBytes >> 20) MB; ask for a smaller page")
        }
        return Response(status: .init(code: route.successStatus), headers: headers, body: .init(byteBuffer: buffer))
    }
}
