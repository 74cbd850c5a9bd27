//! promptfoo's CSV test files: each column is a var, except the `__`
//! columns: `__expected` (also `__expected1`, `__expected2`, ...) holds an
//! assertion, `__description` and `__threshold` the case's, `__metric`
//! names the row's assertions' metric (as promptfoo), and `__metadata:*`
//! is accepted and not used.
//!
//! An `__expected` cell is `type:value` or `type(threshold):value` for any
//! supported type (`not-` too), `fn:code` for `javascript`, `grade:rubric`
//! for `llm-rubric`, and anything else is `equals`, as in promptfoo.

use serde_json::Value;
use serde_saphyr::{Location, Spanned};

use super::{ConfigError, RawAssert, RawTest, SUPPORTED_TYPES, plain};

/// The columns a CSV test file may have besides vars.
const SPECIAL: &[&str] = &[
    "__expected",
    "__expectedN",
    "__description",
    "__threshold",
    "__metric",
    "__metadata:NAME",
];

/// The cases of a CSV file, each with its line.
pub(super) fn tests(text: &str) -> Result<Vec<(u64, RawTest)>, ConfigError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_error(&e))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect::<Vec<_>>();
    for h in &headers {
        if h.starts_with("__") && !is_special(h) {
            return Err(ConfigError {
                file: None,
                line: 1,
                column: 1,
                message: format!(
                    "column `{h}` is not a promptfoo column; expected a var name or one of {}",
                    SPECIAL.join(", ")
                ),
            });
        }
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = record.position().map_or(0, |p| p.line());
        let located = |message: String| ConfigError {
            file: None,
            line,
            column: 1,
            message,
        };
        let mut test = RawTest::default();
        let mut metric = None;
        for (h, cell) in headers.iter().zip(record.iter()) {
            match h.as_str() {
                "__description" if !cell.is_empty() => test.description = Some(cell.to_owned()),
                "__threshold" if !cell.trim().is_empty() => {
                    let t = cell.trim().parse::<f64>().ok().filter(|t| t.is_finite());
                    test.threshold = Some(t.ok_or_else(|| {
                        located(format!("`__threshold`: `{cell}` is not a number"))
                    })?);
                }
                h if h.starts_with("__expected") => {
                    if !cell.trim().is_empty() {
                        test.assert.push(expected(cell).map_err(&located)?);
                    }
                }
                "__metric" if !cell.trim().is_empty() => metric = Some(cell.trim().to_owned()),
                h if h.starts_with("__") => {}
                name => {
                    test.vars
                        .insert(name.to_owned(), Value::String(cell.to_owned()));
                }
            }
        }
        for a in &mut test.assert {
            a.metric.clone_from(&metric);
        }
        out.push((line, test));
    }
    if out.is_empty() {
        return Err(plain("the CSV file has no rows under its header"));
    }
    Ok(out)
}

fn is_special(h: &str) -> bool {
    h.strip_prefix("__expected")
        .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
        || matches!(h, "__description" | "__threshold" | "__metric")
        || h.starts_with("__metadata:")
}

/// One `__expected` cell as an assertion.
fn expected(cell: &str) -> Result<RawAssert, String> {
    let cell = cell.trim();
    let assert = |kind: &str, value: Value, threshold: Option<f64>| RawAssert {
        kind: Spanned::new(kind.to_owned(), Location::UNKNOWN, Location::UNKNOWN),
        value: Some(value),
        threshold,
        weight: None,
        metric: None,
        transform: None,
    };
    if let Some(code) = cell
        .strip_prefix("fn:")
        .or_else(|| cell.strip_prefix("eval:"))
    {
        return Ok(assert(
            "javascript",
            Value::String(code.trim().to_owned()),
            None,
        ));
    }
    if let Some(rubric) = cell.strip_prefix("grade:") {
        return Ok(assert(
            "llm-rubric",
            Value::String(rubric.trim().to_owned()),
            None,
        ));
    }
    if let Some((head, value)) = cell.split_once(':') {
        let (kind, threshold) = match head.split_once('(') {
            Some((kind, rest)) => match rest.strip_suffix(')').map(|t| t.trim().parse::<f64>()) {
                Some(Ok(t)) => (kind.trim(), Some(t)),
                _ => {
                    return Err(format!(
                        "`__expected`: `{head}`: write the threshold as `type(0.8):value`"
                    ));
                }
            },
            None => (head.trim(), None),
        };
        let base = kind.strip_prefix("not-").unwrap_or(kind);
        if SUPPORTED_TYPES.contains(&base) {
            let value = value.trim();
            let value = if value.is_empty() {
                Value::Null
            } else {
                Value::String(value.to_owned())
            };
            return Ok(assert(kind, value, threshold));
        }
    }
    Ok(assert("equals", Value::String(cell.to_owned()), None))
}

fn csv_error(e: &csv::Error) -> ConfigError {
    let line = e.position().map_or(0, |p| p.line());
    ConfigError {
        file: None,
        line,
        column: u64::from(line > 0),
        message: format!("invalid CSV: {e}"),
    }
}
