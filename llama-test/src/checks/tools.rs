//! Tool-call checks: a named call with valid, schema-conforming arguments,
//! argument subsets, no call, call count and call order.
//!
//! Llama's SDK warns that tool arguments may be invalid JSON or carry
//! hallucinated parameters, so `function_call` parses the raw arguments and
//! validates them against the tool's `parameters` schema from the request.
//! Every failure shows the actual calls (name and raw arguments) and any text.

use serde_json::Value;

use super::schema::{Schema, describe_violations};
use super::text::show_list;
use super::{Bounds, CheckResult, quoted, trim_chars};
use crate::completion::{Completion, ToolCall};
use crate::request::Tool;

/// The first call named `name`, for test bodies.
pub fn find_call<'c>(completion: &'c Completion, name: &str) -> Option<&'c ToolCall> {
    completion.tool_calls.iter().find(|c| c.name == name)
}

/// Every call named `name`, in order.
pub fn calls_named<'c>(
    completion: &'c Completion,
    name: &'c str,
) -> impl Iterator<Item = &'c ToolCall> {
    completion.tool_calls.iter().filter(move |c| c.name == name)
}

/// What `function_call` looks for.
#[derive(Debug, Clone, PartialEq)]
pub struct CallExpectation {
    /// The function name.
    pub name: String,
    /// A subset the arguments must contain (see [`is_subset`]).
    pub arguments: Option<Value>,
    /// A name the request's tools do not declare is a FAIL rather than an
    /// error (promptfoo suites cross every provider with every case).
    pub undeclared_fails: bool,
}

impl CallExpectation {
    /// A call to `name` with any (valid) arguments.
    pub fn named(name: impl Into<String>) -> Self {
        CallExpectation {
            name: name.into(),
            arguments: None,
            undeclared_fails: false,
        }
    }

    /// Also require the arguments to contain `subset`.
    pub fn with_arguments(mut self, subset: Value) -> Self {
        self.arguments = Some(subset);
        self
    }

    fn describe(&self) -> String {
        match &self.arguments {
            Some(args) => format!("call `{}` with arguments containing {args}", self.name),
            None => format!("call `{}` with valid arguments", self.name),
        }
    }
}

/// Some call matches `expected`: its arguments are valid JSON, validate
/// against the tool's `parameters` schema in `tools` (skipped when `tools` is
/// empty) and contain the expected subset. A tool missing from a non-empty
/// `tools`, or an invalid parameters schema, is an error.
pub fn function_call(
    completion: &Completion,
    tools: &[Tool],
    expected: &CallExpectation,
) -> CheckResult {
    const NAME: &str = "function_call";
    let expectation = expected.describe();
    let candidates: Vec<&ToolCall> = completion
        .tool_calls
        .iter()
        .filter(|c| c.name == expected.name)
        .collect();
    if candidates.is_empty() {
        return CheckResult::check(NAME, false, expectation, describe_answer(completion));
    }
    let schema = if tools.is_empty() {
        None
    } else {
        let Some(tool) = tools.iter().find(|t| t.name == expected.name) else {
            let declared: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
            if expected.undeclared_fails {
                return CheckResult::check(
                    NAME,
                    false,
                    expectation,
                    format!(
                        "the provider declares no tool `{}` (declared: {}); {}",
                        expected.name,
                        show_list(&declared),
                        describe_answer(completion)
                    ),
                );
            }
            return CheckResult::error(
                NAME,
                format!(
                    "`function_call = {:?}`: the request declares no tool of that name (declared: {})",
                    expected.name,
                    show_list(&declared)
                ),
            );
        };
        match tool.parameters.as_ref().map(Schema::compile).transpose() {
            Ok(schema) => schema,
            Err(e) => return CheckResult::error(NAME, format!("tool `{}` has an {e}", tool.name)),
        }
    };
    let mut problems = Vec::new();
    for call in &candidates {
        match call_problem(call, schema.as_ref(), expected.arguments.as_ref()) {
            None => {
                let mut actual = format!("it called {}", describe_call(call));
                if tools.is_empty() {
                    actual.push_str(" (the request declared no tools, so no schema was checked)");
                }
                return CheckResult::check(NAME, true, expectation, actual);
            }
            Some(problem) => problems.push(problem),
        }
    }
    let actual = format!("{}; {}", problems.join("; "), describe_answer(completion));
    CheckResult::check(NAME, false, expectation, actual)
}

/// No call matches the name (and the argument subset, when given). Validity
/// of the arguments does not matter here: a call is a call.
pub fn not_function_call(completion: &Completion, expected: &CallExpectation) -> CheckResult {
    let hit = completion.tool_calls.iter().find(|c| {
        c.name == expected.name
            && expected
                .arguments
                .as_ref()
                .is_none_or(|sub| is_subset(sub, &c.arguments))
    });
    let actual = match hit {
        Some(call) => format!("it called {}", describe_call(call)),
        None => describe_answer(completion),
    };
    CheckResult::check("function_call", hit.is_none(), expected.describe(), actual)
        .negate_expectation()
}

/// The answer made no tool call.
pub fn no_tool_call(completion: &Completion) -> CheckResult {
    CheckResult::check(
        "no_tool_call",
        completion.tool_calls.is_empty(),
        "make no tool call",
        describe_answer(completion),
    )
}

/// The number of calls (named `name`, when given) is within `bounds`.
pub fn tool_call_count(completion: &Completion, name: Option<&str>, bounds: Bounds) -> CheckResult {
    let n = completion
        .tool_calls
        .iter()
        .filter(|c| name.is_none_or(|n| c.name == n))
        .count() as u64;
    let what = match name {
        Some(name) => format!("calls to `{name}`"),
        None => "tool calls".to_owned(),
    };
    CheckResult::check(
        "tool_call_count",
        bounds.contains(n),
        format!("make {} {what}", bounds.describe()),
        format!("it made {n}: {}", describe_answer(completion)),
    )
}

/// The call names contain `names` in this order (others may come between);
/// with `exact`, the call names are exactly `names`.
pub fn tool_call_order<S: AsRef<str>>(
    completion: &Completion,
    names: &[S],
    exact: bool,
) -> CheckResult {
    let actual: Vec<&str> = completion
        .tool_calls
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let wanted: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    let passed = if exact {
        actual == wanted
    } else {
        let mut remaining = actual.iter();
        wanted.iter().all(|w| remaining.any(|a| a == w))
    };
    let expected = if exact {
        format!("make exactly the calls {}", show_list(&wanted))
    } else {
        format!("make the calls {} in this order", show_list(&wanted))
    };
    CheckResult::check(
        "tool_call_order",
        passed,
        expected,
        format!("the calls were {}", show_list(&actual)),
    )
}

/// Whether `actual` contains `expected`: objects key by key (extra keys
/// allowed), arrays element by element with equal length, numbers by value
/// (`1` equals `1.0`), everything else by equality.
pub fn is_subset(expected: &Value, actual: &Value) -> bool {
    subset_difference(expected, actual, String::new()).is_none()
}

/// `name({"raw": "arguments"})`, raw arguments trimmed.
pub fn describe_call(call: &ToolCall) -> String {
    format!("{}({})", call.name, trim_chars(&call.raw_arguments, 200))
}

/// Every call and the text, for failure messages.
pub fn describe_answer(completion: &Completion) -> String {
    let calls = if completion.tool_calls.is_empty() {
        "it made no tool call".to_owned()
    } else {
        let list: Vec<String> = completion.tool_calls.iter().map(describe_call).collect();
        format!("the calls were {}", list.join(", "))
    };
    if completion.text.trim().is_empty() {
        calls
    } else {
        format!("{calls}; text: {}", quoted(&completion.text, 200))
    }
}

/// What is wrong with one candidate call, or `None` when it matches.
fn call_problem(
    call: &ToolCall,
    schema: Option<&Schema>,
    subset: Option<&Value>,
) -> Option<String> {
    let call_text = describe_call(call);
    if let Some(e) = call.arguments_error() {
        return Some(format!(
            "the arguments of {call_text} are not valid JSON ({e})"
        ));
    }
    if !call.arguments.is_object() {
        return Some(format!(
            "the arguments of {call_text} are not a JSON object"
        ));
    }
    if let Some(schema) = schema {
        let violations = schema.violations(&call.arguments);
        if !violations.is_empty() {
            return Some(format!(
                "the arguments of {call_text} break the tool's parameters schema: {}",
                describe_violations(&violations)
            ));
        }
    }
    let subset = subset?;
    subset_difference(subset, &call.arguments, String::new())
        .map(|diff| format!("the arguments of {call_text} do not match: {diff}"))
}

/// Where `actual` first fails to contain `expected`, as `at /path: ...`.
fn subset_difference(expected: &Value, actual: &Value, path: String) -> Option<String> {
    let here = if path.is_empty() {
        "/".to_owned()
    } else {
        path.clone()
    };
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().find_map(|(key, ev)| {
            let child = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
            match a.get(key) {
                None => Some(format!("at {child}: expected {ev}, but the key is missing")),
                Some(av) => subset_difference(ev, av, child),
            }
        }),
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
            .iter()
            .zip(a)
            .enumerate()
            .find_map(|(i, (ev, av))| subset_difference(ev, av, format!("{path}/{i}"))),
        (Value::Number(e), Value::Number(a))
            if e.as_f64().is_some() && e.as_f64() == a.as_f64() =>
        {
            None
        }
        (e, a) if e == a => None,
        (e, a) => Some(format!(
            "at {here}: expected {}, got {}",
            trim_chars(&e.to_string(), 120),
            trim_chars(&a.to_string(), 120)
        )),
    }
}

impl CheckResult {
    /// For checks whose `not_` form has its own logic: keep the verdict, but
    /// name and phrase the result as the `not_` form.
    fn negate_expectation(self) -> CheckResult {
        let passed = self.passed();
        CheckResult::check(
            format!("not_{}", self.name),
            passed,
            format!("not {}", self.expected),
            self.actual,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_matching() {
        let actual = json!({"location": "New York, NY", "unit": "c", "days": [1, 2]});
        assert!(is_subset(&json!({"location": "New York, NY"}), &actual));
        assert!(is_subset(&json!({"days": [1.0, 2]}), &actual));
        assert!(!is_subset(&json!({"days": [1]}), &actual));
        assert!(!is_subset(&json!({"location": "Paris"}), &actual));
        assert_eq!(
            subset_difference(&json!({"zip": "10001"}), &actual, String::new()).as_deref(),
            Some("at /zip: expected \"10001\", but the key is missing")
        );
    }
}
