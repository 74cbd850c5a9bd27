//! `--json`: the summary (totals per model, the matrix) and every record.

use crate::summary::Summary;

/// The JSON report, pretty-printed.
pub fn render(summary: &Summary) -> String {
    // A `Summary` holds only strings, numbers and lists: it always serializes.
    serde_json::to_string_pretty(summary).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
