/// Bounds on one evaluation, so a runaway or hostile formula fails with a ``FormulaError``
/// (code `limit_exceeded`) instead of exhausting the stack, the CPU or memory.
package struct FormulaLimits: Sendable, Hashable {
    /// How many formulas may be nested inside one another (default 64, at most 512).
    package let maxFormulaDepth: Int
    /// How many levels of lists, objects and formulas the evaluator may descend (default 256, at
    /// most 1,024, so that the evaluator's recursion always fits a thread's stack).
    package let maxDepth: Int
    /// How many evaluation steps one evaluation may take: one per value visited, plus one per
    /// element scanned by `oneOf`, `noneOf` and `contains` (default 1,000,000).
    package let maxSteps: Int
    /// How many source elements all `$iterate` formulas of one evaluation may visit together (default 10,000).
    package let maxIterations: Int
    /// How large the values produced may get in total, counted as one unit per value plus one per
    /// member of a list or object and per UTF-8 byte of a string, intermediate values included
    /// (default 16 Mi units, about 16 MB of text).
    package let maxOutputSize: Int

    /// The defaults.
    package static let standard = FormulaLimits()

    /// Creates limits; negative values count as zero, and depths above their maximum as the maximum.
    /// - Parameters:
    ///   - maxFormulaDepth: Formulas nested inside one another.
    ///   - maxDepth: Levels of lists, objects and formulas.
    ///   - maxSteps: Evaluation steps.
    ///   - maxIterations: `$iterate` source elements, all formulas together.
    ///   - maxOutputSize: Size units of all produced values.
    package init(
        maxFormulaDepth: Int = 64,
        maxDepth: Int = 256,
        maxSteps: Int = 1_000_000,
        maxIterations: Int = 10_000,
        maxOutputSize: Int = 16 << 20
    ) {
        self.maxFormulaDepth = min(max(0, maxFormulaDepth), 512)
        self.maxDepth = min(max(0, maxDepth), 1_024)
        self.maxSteps = max(0, maxSteps)
        self.maxIterations = max(0, maxIterations)
        self.maxOutputSize = max(0, maxOutputSize)
    }
}
