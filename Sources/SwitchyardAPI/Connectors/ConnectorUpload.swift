import Foundation
import SwitchyardConnectors
import SwitchyardCore

/// Reads an uploaded connector archive, turning the reader's errors into API errors: archive
/// attacks and oversize archives name the entry, invalid packages list every problem.
enum ConnectorUpload {
    static func read(_ bytes: [UInt8]) throws(SwitchyardError) -> ConnectorPackage {
        do {
            return try ConnectorPackageReader.read(zip: Data(bytes))
        } catch let error as ConnectorArchiveError {
            throw error.switchyardError
        } catch let error as ConnectorValidationError {
            throw error.switchyardError
        } catch let error as SwitchyardError {
            throw error
        } catch {
            throw SwitchyardError(.badRequest, "the connector package cannot be read")
        }
    }
}

extension ConnectorAuth {
    /// The auth type a connector record shows: the single option's type, or `options`.
    var typeName: String {
        switch self {
        case .single(let option): option.type.rawValue
        case .options: "options"
        }
    }
}
