//! Whether an attribute literal fits a check's value [`Shape`] (the table of
//! kinds and shapes is `llama_test_core::checks`).

use llama_test_core::checks::Shape;

use crate::args::{Value, ValueKind};

/// `None` when `value` fits `shape`; otherwise what was found, for
/// "expects X; found Y".
pub fn problem(shape: Shape, value: &Value) -> Option<String> {
    let found = |what: &str| Some(what.to_owned());
    match (shape, &value.kind) {
        (Shape::Flag, ValueKind::Bool(true)) => None,
        (Shape::AnyTextOrNumber, ValueKind::Str(_)) => None,
        (Shape::Text | Shape::TextOrNumber | Shape::TextOrTextList, ValueKind::Str(s)) => {
            s.is_empty().then(|| "an empty string".to_owned())
        }
        (Shape::TextOrNumber | Shape::AnyTextOrNumber, ValueKind::Int(_)) => None,
        (Shape::TextOrNumber | Shape::AnyTextOrNumber, ValueKind::Float(f)) => {
            (!f.is_finite()).then(|| "a number too large for JSON".to_owned())
        }
        (Shape::TextList | Shape::TextOrTextList, ValueKind::Array(items)) => list_problem(items),
        (Shape::Count, ValueKind::Int(i)) => (u64::try_from(*i).is_err()).then(|| i.to_string()),
        (Shape::Amount, ValueKind::Int(i)) => (*i < 0).then(|| i.to_string()),
        (Shape::Amount, ValueKind::Float(f)) => (!f.is_finite() || *f < 0.0).then(|| f.to_string()),
        (_, other) => found(other.describe()),
    }
}

fn list_problem(items: &[Value]) -> Option<String> {
    if items.is_empty() {
        // An empty `contains_all` would pass vacuously; the runtime refuses it.
        return Some("an empty list".to_owned());
    }
    items.iter().find_map(|item| match &item.kind {
        ValueKind::Str(s) if s.is_empty() => Some("a list holding an empty string".to_owned()),
        ValueKind::Str(_) => None,
        other => Some(format!("a list holding {}", other.describe())),
    })
}
