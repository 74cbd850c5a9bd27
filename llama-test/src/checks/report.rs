//! Aggregating check results into one verdict and a readable failure message.

use std::fmt;

use super::{CheckResult, Verdict, tools::describe_call, trim_chars};
use crate::completion::Completion;

/// How much of the output a report shows.
const OUTPUT_CHARS: usize = 500;

/// One result with its assertion's weight.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedResult {
    /// The check's result.
    pub result: CheckResult,
    /// The assertion's weight, finite and ≥ 0 (`1.0` unless the assertion
    /// set one); at `0` the check adds nothing to the score and its failure
    /// alone does not fail the test (an error still does).
    pub weight: f64,
}

/// The aggregate of a test's checks, by promptfoo's rules: the score is
/// `Σ(score·w)/Σw` (0 when Σw = 0, 1 when there are no checks); any error
/// makes the verdict [`Verdict::Error`]; otherwise a test-level threshold,
/// when given, decides (`score ≥ threshold`), and without one the test
/// passes when no check with weight > 0 failed.
///
/// `Display` lists every failing and erroring check with expected vs. actual
/// and a trimmed output; it is meant as the panic message.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Every check's result, in declaration order.
    pub results: Vec<WeightedResult>,
    /// The weighted score in `0.0..=1.0`.
    pub score: f64,
    /// The test-level threshold, if any.
    pub threshold: Option<f64>,
    /// The overall verdict, by the rules above.
    pub verdict: Verdict,
    /// The first characters of the text plus the tool calls, for messages.
    pub output_excerpt: String,
}

impl Report {
    /// Aggregates `results` for the answer `completion`.
    pub fn new(
        results: Vec<WeightedResult>,
        threshold: Option<f64>,
        completion: &Completion,
    ) -> Self {
        let total_weight: f64 = results.iter().map(|r| r.weight).sum();
        let score = if results.is_empty() {
            1.0
        } else if total_weight > 0.0 {
            results
                .iter()
                .map(|r| r.result.score * r.weight)
                .sum::<f64>()
                / total_weight
        } else {
            0.0
        };
        let verdict = if results.iter().any(|r| r.result.is_error()) {
            Verdict::Error
        } else if let Some(t) = threshold {
            if score >= t {
                Verdict::Pass
            } else {
                Verdict::Fail
            }
        } else if results
            .iter()
            .any(|r| r.result.verdict == Verdict::Fail && r.weight > 0.0)
        {
            Verdict::Fail
        } else {
            Verdict::Pass
        };
        Report {
            results,
            score,
            threshold,
            verdict,
            output_excerpt: excerpt(completion),
        }
    }

    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &WeightedResult> {
        self.results
            .iter()
            .filter(|r| r.result.verdict == Verdict::Fail)
    }

    /// The checks that could not run.
    pub fn errors(&self) -> impl Iterator<Item = &WeightedResult> {
        self.results.iter().filter(|r| r.result.is_error())
    }

    /// One line: counts, score and threshold.
    pub fn summary(&self) -> String {
        let total = self.results.len();
        let failed = self.failures().count();
        let errored = self.errors().count();
        let mut line = format!(
            "{}: {total} check{}, {} passed, {failed} failed, {errored} errored; weighted score {:.2}",
            self.verdict,
            if total == 1 { "" } else { "s" },
            total - failed - errored,
            self.score
        );
        if let Some(t) = self.threshold {
            let relation = if self.score >= t { "≥" } else { "<" };
            line.push_str(&format!(" {relation} threshold {t}"));
        }
        line
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary())?;
        if self.verdict == Verdict::Error {
            writeln!(
                f,
                "errors are not failed checks: fix the configuration or the grader, then re-run"
            )?;
        }
        for entry in self.results.iter().filter(|r| !r.result.passed()) {
            let r = &entry.result;
            let note = if entry.weight == 0.0 && r.verdict == Verdict::Fail {
                " (weight 0, informational)"
            } else {
                ""
            };
            writeln!(
                f,
                "  {:<5} {}{note}: {}",
                r.verdict.label(),
                r.name,
                r.reason
            )?;
        }
        write!(f, "{}", self.output_excerpt)
    }
}

/// `output (N characters[, first 500 shown]):` plus indented text and calls.
fn excerpt(completion: &Completion) -> String {
    let text = &completion.text;
    let chars = text.chars().count();
    let mut out = if chars > OUTPUT_CHARS {
        format!("output ({chars} characters, first {OUTPUT_CHARS} shown):\n")
    } else {
        format!("output ({chars} characters):\n")
    };
    for line in trim_chars(text, OUTPUT_CHARS).lines() {
        out.push_str("    ");
        out.push_str(line);
        out.push('\n');
    }
    if !completion.tool_calls.is_empty() {
        out.push_str("tool calls:\n");
        for call in &completion.tool_calls {
            out.push_str(&format!("    {}\n", describe_call(call)));
        }
    }
    out
}
