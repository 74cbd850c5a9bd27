//! `--markdown`: a summary for a pull request or `$GITHUB_STEP_SUMMARY`.

use crate::summary::{Outcome, Summary};
use crate::text::{millis, trim, usd};

/// The Markdown summary of a run.
pub fn render(summary: &Summary) -> String {
    let mut out = format!(
        "## llama-test run `{}`\n\n{} samples: {} passed, {} failed, {} errored; mode {}; \
         {} tokens, cost {}; {}\n\n",
        summary.run_id,
        summary.samples,
        summary.passed,
        summary.failed,
        summary.errored,
        summary.modes.join(", "),
        summary.tokens,
        usd(summary.cost_usd),
        summary.finished,
    );
    out.push_str("| model | pass rate | passed | failed | errored | p50 | p95 | tokens | cost |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for m in &summary.models {
        out.push_str(&format!(
            "| `{}` | {:.0}% | {} | {} | {} | {} | {} | {} | {} |\n",
            m.model_id,
            m.pass_rate * 100.0,
            m.passed,
            m.failed,
            m.errored,
            millis(m.p50_ms),
            millis(m.p95_ms),
            m.prompt_tokens + m.completion_tokens,
            usd(m.cost_usd)
        ));
    }
    let failing: Vec<_> = summary
        .records
        .iter()
        .filter(|r| Outcome::of(r) != Outcome::Pass)
        .collect();
    if !failing.is_empty() {
        out.push_str("\n### Not passing\n\n");
        for r in failing {
            let why = r
                .checks
                .iter()
                .find(|c| c.verdict != "PASS")
                .map(|c| format!("{} {}: {}", c.verdict, c.name, c.reason))
                .or_else(|| r.message.clone())
                .unwrap_or_default();
            out.push_str(&format!(
                "- **{}** `{}` on `{}` ({}:{}): {}\n",
                r.verdict,
                r.test,
                r.model_id,
                r.file,
                r.line,
                trim(&why.replace('\n', " "), 300)
            ));
        }
    }
    out
}
