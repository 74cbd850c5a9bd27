//! Leaf values for JSON Schema keywords: numbers inside their bounds and
//! multiples, strings inside their lengths and patterns, distinct array items.

use serde_json::{Map, Value, json};

/// A numeric bound and whether it is exclusive.
type Bound = (f64, bool);

/// Lower and upper bounds, each with whether it is exclusive. Handles both
/// draft-4 boolean `exclusiveMinimum` and the later numeric form.
fn bounds(obj: &Map<String, Value>) -> (Option<Bound>, Option<Bound>) {
    let bound = |inclusive: &str, exclusive: &str| {
        let flag = obj.get(exclusive);
        match (obj.get(inclusive).and_then(Value::as_f64), flag) {
            (_, Some(Value::Number(n))) => n.as_f64().map(|v| (v, true)),
            (Some(v), Some(Value::Bool(true))) => Some((v, true)),
            (Some(v), _) => Some((v, false)),
            (None, _) => None,
        }
    };
    (
        bound("minimum", "exclusiveMinimum"),
        bound("maximum", "exclusiveMaximum"),
    )
}

pub(crate) fn integer(obj: &Map<String, Value>) -> Value {
    let (low, high) = bounds(obj);
    let low = low.map(|(v, excl)| if excl { v.floor() + 1.0 } else { v.ceil() });
    let high = high.map(|(v, excl)| if excl { v.ceil() - 1.0 } else { v.floor() });
    let mut v = pick_between(low, high).round();
    if let Some(step) = obj.get("multipleOf").and_then(Value::as_f64) {
        v = snap_to_multiple(v, step, low, high);
    }
    number_value(v)
}

pub(crate) fn number(obj: &Map<String, Value>) -> Value {
    let (low, high) = bounds(obj);
    let mut v = match (low, high) {
        (Some((lo, _)), Some((hi, _))) => (lo + hi) / 2.0,
        (Some((lo, excl)), None) => lo + if excl { 1.0 } else { 0.0 },
        (None, Some((hi, excl))) => (hi - if excl { 1.0 } else { 0.0 }).min(0.0),
        (None, None) => 0.0,
    };
    if let Some(step) = obj.get("multipleOf").and_then(Value::as_f64) {
        v = snap_to_multiple(v, step, low.map(|b| b.0), high.map(|b| b.0));
    }
    number_value(v)
}

/// The middle of the bounds, the one bound, or 0.
fn pick_between(low: Option<f64>, high: Option<f64>) -> f64 {
    match (low, high) {
        (Some(lo), Some(hi)) => lo + ((hi - lo) / 2.0).floor(),
        (Some(lo), None) => lo.max(0.0),
        (None, Some(hi)) => hi.min(0.0),
        (None, None) => 0.0,
    }
}

fn snap_to_multiple(v: f64, step: f64, low: Option<f64>, high: Option<f64>) -> f64 {
    if step <= 0.0 || !step.is_finite() {
        return v;
    }
    let mut snapped = (v / step).round() * step;
    if low.is_some_and(|lo| snapped < lo) {
        snapped += step;
    }
    if high.is_some_and(|hi| snapped > hi) {
        snapped -= step;
    }
    snapped
}

/// Whole numbers as JSON integers (`3`, not `3.0`), others as floats.
fn number_value(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        // Exact: whole and well inside i64's range.
        json!(v as i64)
    } else {
        json!(v)
    }
}

pub(crate) fn fit_length(mut text: String, obj: &Map<String, Value>) -> String {
    let min = obj.get("minLength").and_then(Value::as_u64).unwrap_or(0);
    let max = obj.get("maxLength").and_then(Value::as_u64);
    let len = text.chars().count() as u64;
    if let Some(max) = max.filter(|max| len > *max) {
        text = text
            .chars()
            .take(usize::try_from(max).unwrap_or(0))
            .collect();
    }
    let len = text.chars().count() as u64;
    if len < min {
        text.extend(std::iter::repeat_n(
            'x',
            usize::try_from(min - len).unwrap_or(0),
        ));
    }
    text
}

/// Keeps `text` if it matches `pattern`, else tries a few common shapes.
/// JSON Schema patterns are ECMA regexes; the `regex` crate accepts most.
pub(crate) fn fit_pattern(text: String, pattern: &str) -> String {
    let Ok(re) = regex::Regex::new(pattern) else {
        return text;
    };
    if re.is_match(&text) {
        return text;
    }
    [
        "a",
        "A",
        "0",
        "a0",
        "example",
        "A-1",
        "2025-01-01",
        "user@example.com",
    ]
    .into_iter()
    .find(|c| re.is_match(c))
    .map_or(text, str::to_owned)
}

/// Makes the `i`th item of a `uniqueItems` array differ from the others.
pub(crate) fn distinct(item: Value, i: usize) -> Value {
    match item {
        Value::String(s) if i > 0 => Value::String(format!("{s} {}", i + 1)),
        Value::Number(n) => n
            .as_f64()
            .map_or(Value::Number(n), |v| number_value(v + i as f64)),
        other => other,
    }
}
