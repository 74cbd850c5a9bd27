//! JSON in model output: strict parsing (`is_json`) and finding JSON inside
//! prose and Markdown fences (`contains_json`), optionally against a schema.

use std::ops::Range;

use serde_json::Value;

use super::schema::{Schema, describe_violations};
use super::{CheckResult, quoted};

/// Where a JSON value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonSource {
    /// The whole text (surrounding whitespace aside) is the value.
    Whole,
    /// The content of a ```` ``` ```` / ```` ```json ```` fence.
    Fence,
    /// An object or array embedded in prose.
    Prose,
}

/// One JSON value found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundJson {
    /// The parsed value.
    pub value: Value,
    /// Byte range of the value's text.
    pub span: Range<usize>,
    /// Where in the text it was found.
    pub source: JsonSource,
}

/// Every JSON value in `text`, in order: the whole text if it is JSON;
/// otherwise each fenced block that is JSON, plus each object or array in
/// prose. Braces inside JSON strings are handled by a real parser. In prose,
/// an array counts only if it holds a string, object or array, so citations
/// like `[1]` or `[2, 3]` are not taken for JSON.
pub fn find_json(text: &str) -> Vec<FoundJson> {
    let trimmed = text.trim();
    if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
        let start = text.len() - text.trim_start().len();
        return vec![FoundJson {
            value,
            span: start..start + trimmed.len(),
            source: JsonSource::Whole,
        }];
    }
    let mut found = Vec::new();
    scan(text, 0..text.len(), true, &mut found);
    found
}

/// Scans `text[range]` for fences (when `fences`) and embedded values.
fn scan(text: &str, range: Range<usize>, fences: bool, found: &mut Vec<FoundJson>) {
    let mut pos = range.start;
    while let Some(offset) = text[pos..range.end].find(['{', '[', '`']) {
        let at = pos + offset;
        let rest = &text[at..range.end];
        if fences && rest.starts_with("```") {
            pos = scan_fence(text, at, found);
        } else if rest.starts_with('`') {
            pos = at + 1;
        } else if let Some((value, len)) = parse_prefix(rest) {
            if rest.starts_with('{') || holds_structure(&value) {
                found.push(FoundJson {
                    value,
                    span: at..at + len,
                    source: JsonSource::Prose,
                });
            }
            pos = at + len;
        } else {
            pos = at + 1;
        }
    }
}

/// The first JSON value in `text` (see [`find_json`]), for test bodies.
pub fn extract_json(text: &str) -> Option<Value> {
    find_json(text).into_iter().next().map(|f| f.value)
}

/// The whole text is JSON (any JSON value) and, with a schema, validates.
pub fn is_json(output: &str, schema: Option<&Schema>) -> CheckResult {
    let expected = match schema {
        Some(_) => "be valid JSON matching the schema",
        None => "be valid JSON",
    };
    let value = match serde_json::from_str::<Value>(output) {
        Ok(value) => value,
        Err(e) => {
            let hint = if output.trim_start().starts_with("```") {
                " (the JSON is wrapped in a ``` fence; use `contains_json` to accept that)"
            } else {
                ""
            };
            let actual = format!("it does not parse ({e}){hint}: {}", quoted(output, 200));
            return CheckResult::check("is_json", false, expected, actual);
        }
    };
    let Some(schema) = schema else {
        return CheckResult::check("is_json", true, expected, "it parses");
    };
    let violations = schema.violations(&value);
    let actual = if violations.is_empty() {
        "it parses and validates".to_owned()
    } else {
        format!("it breaks the schema: {}", describe_violations(&violations))
    };
    CheckResult::check("is_json", violations.is_empty(), expected, actual)
}

/// The text holds a JSON object or array (see [`find_json`]) and, with a
/// schema, at least one of them validates.
pub fn contains_json(output: &str, schema: Option<&Schema>) -> CheckResult {
    let expected = match schema {
        Some(_) => "contain JSON matching the schema",
        None => "contain JSON",
    };
    let candidates: Vec<FoundJson> = find_json(output)
        .into_iter()
        // A bare number or string ("42") is an answer, not JSON inside the text.
        .filter(|f| f.value.is_object() || f.value.is_array())
        .collect();
    if candidates.is_empty() {
        let actual = format!(
            "no JSON object or array was found in {}",
            quoted(output, 200)
        );
        return CheckResult::check("contains_json", false, expected, actual);
    }
    let Some(schema) = schema else {
        let actual = format!("found {}", describe_found(&candidates[0]));
        return CheckResult::check("contains_json", true, expected, actual);
    };
    let mut failures = Vec::new();
    for candidate in &candidates {
        let violations = schema.violations(&candidate.value);
        if violations.is_empty() {
            let actual = format!("found {} that validates", describe_found(candidate));
            return CheckResult::check("contains_json", true, expected, actual);
        }
        failures.push(format!(
            "{} breaks it: {}",
            describe_found(candidate),
            describe_violations(&violations)
        ));
    }
    let actual = format!(
        "none of the {} JSON value(s) found validates: {}",
        candidates.len(),
        failures.join(" | ")
    );
    CheckResult::check("contains_json", false, expected, actual)
}

/// Parses one JSON value at the start of `text`; returns it and its length.
fn parse_prefix(text: &str) -> Option<(Value, usize)> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    match stream.next() {
        Some(Ok(value)) => Some((value, stream.byte_offset())),
        _ => None,
    }
}

/// Handles a fence opening at `at`: a fence whose content is JSON is one
/// value; otherwise its content is scanned like prose. An unclosed fence is
/// prose. Returns where to go on.
fn scan_fence(text: &str, at: usize, found: &mut Vec<FoundJson>) -> usize {
    let after_ticks = at + 3;
    // The info string (`json`, `JSON`, ...) runs to the end of the line.
    let Some(line_end) = text[after_ticks..].find('\n').map(|i| after_ticks + i + 1) else {
        return after_ticks;
    };
    let Some(close) = text[line_end..].find("```").map(|i| line_end + i) else {
        return line_end;
    };
    let body = &text[line_end..close];
    let trimmed = body.trim();
    match serde_json::from_str::<Value>(trimmed) {
        Ok(value) => {
            let start = line_end + (body.len() - body.trim_start().len());
            found.push(FoundJson {
                value,
                span: start..start + trimmed.len(),
                source: JsonSource::Fence,
            });
            close + 3
        }
        Err(_) => {
            scan(text, line_end..close, false, found);
            close + 3
        }
    }
}

/// Whether an array holds something other than numbers, booleans and nulls.
fn holds_structure(value: &Value) -> bool {
    match value {
        Value::Array(items) => items
            .iter()
            .any(|v| v.is_string() || v.is_object() || v.is_array()),
        _ => true,
    }
}

fn describe_found(found: &FoundJson) -> String {
    let kind = match &found.value {
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        _ => "a value",
    };
    let place = match found.source {
        JsonSource::Whole => "as the whole text",
        JsonSource::Fence => "in a fence",
        JsonSource::Prose => "in the text",
    };
    format!(
        "{kind} {place} ({})",
        super::trim_chars(&found.value.to_string(), 120)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scanner_skips_false_starts_and_keeps_braces_in_strings() {
        let text = r#"Use {curly} style. Result: {"a": "x}y{", "b": [1, 2]} done"#;
        let found = find_json(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].value, json!({"a": "x}y{", "b": [1, 2]}));
        assert_eq!(
            &text[found[0].span.clone()],
            r#"{"a": "x}y{", "b": [1, 2]}"#
        );
    }

    #[test]
    fn unclosed_fence_is_scanned_as_prose() {
        let found = find_json("```json\n{\"a\": 1}\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].source, JsonSource::Prose);
    }
}
