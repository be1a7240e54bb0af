/// What a form page shows again after a refused submission: the user's input, the message of
/// each field the problem names, and the problem's sentence for the top of the form.
struct FormState: Sendable {
    /// Field name → the text the user entered.
    var values: [String: String] = [:]
    /// Why the submission was refused, if it was.
    var problem: APIProblem?

    /// A fresh form, or one filled with `values`.
    init(values: [String: String] = [:], problem: APIProblem? = nil) {
        self.values = values
        self.problem = problem
    }

    /// The template values: `form` (the non-empty inputs), `errors` (field → message) and
    /// `problem` (the sentence), each left out when empty so `{{#…}}` sections skip them.
    var templateValues: [String: Any] {
        var result: [String: Any] = ["form": values.filter { !$0.value.isEmpty }]
        if let problem {
            result["problem"] = problem.sentence
            if !problem.fields.isEmpty { result["errors"] = problem.fieldValues }
        }
        return result
    }

    /// The status of the page that shows the form: the problem's (at least 400), else 200.
    var status: Int { problem.map { max(400, min($0.status, 599)) } ?? 200 }
}
