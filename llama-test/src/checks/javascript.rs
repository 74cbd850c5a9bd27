//! `javascript` checks of promptfoo suites, run as promptfoo runs them:
//! the code is the body of `function (output, context)`, a one-line
//! expression is returned implicitly, and the result is a boolean, a score
//! (against `threshold`, else `> 0`) or `{pass, score, reason}`.
//!
//! - `output` is the answer text, so `JSON.parse(output)` works on a
//!   `json_schema` answer (promptfoo hands such answers over already
//!   parsed, which makes the seed's `JSON.parse(output).rating` throw
//!   there). An answer that is exactly one tool call is `{name, arguments,
//!   id}` with `arguments` parsed (the raw string when it is not JSON);
//!   several calls are an array of those.
//! - `context` is `{vars, prompt}`: the case's vars (as text, the way the
//!   prompt saw them) and the rendered prompt (the last user message's text).
//! - A throw is a FAIL showing the error and the code, as in promptfoo: it
//!   is the answer that did not have the expected shape. A syntax error, a
//!   run past the time limit (1 s) or the memory limit (32 MiB) is an ERROR:
//!   the suite, not the model, needs fixing.
//! - The sandbox is QuickJS with the ECMAScript built-ins only: no
//!   `require`, `process`, `fetch`, files or network.
//!
//! The same code runs as an assertion's `transform` (see
//! [`Assertion::with_transform`](super::Assertion::with_transform)); there
//! its result replaces the answer instead of deciding.
//!
//! A `file://check.js` value is a CommonJS file (`module.exports = (output,
//! context) => ...`, or `file://check.js:name` for `module.exports.name`);
//! `export default` at the start of a line is read as `module.exports =`.

use serde_json::{Map, Value, json};

use super::{CheckInput, CheckResult, trim_chars};
use crate::completion::Completion;

const NAME: &str = "javascript";

/// A parsed `javascript` check.
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "javascript"), allow(dead_code))]
pub struct Script {
    /// The code as written (or `file://x.js`), for messages.
    shown: String,
    /// The function body that runs.
    body: String,
    threshold: Option<f64>,
}

impl Script {
    /// Reads the check's value: inline code, or `{file, source, function}`
    /// as the promptfoo reader resolves a `file://` value. The code is
    /// compiled now, so a syntax error is an error before any request.
    pub fn parse(value: &Value, threshold: Option<f64>) -> Result<Script, String> {
        let script = match value {
            Value::String(code) if !code.trim().is_empty() => Script {
                shown: code.trim_end().to_owned(),
                body: inline_body(code),
                threshold,
            },
            Value::Object(map) => file_script(map, threshold)?,
            other => {
                return Err(format!(
                    "expected JavaScript code or a `file://` path, got {}",
                    super::value::kind_of(other)
                ));
            }
        };
        compile(&script)?;
        Ok(script)
    }

    /// Runs the script against an answer.
    pub fn evaluate(&self, input: &CheckInput<'_>) -> CheckResult {
        run(self, input)
    }

    /// The code as written (or `file://x.js`), quoted and shortened.
    pub fn describe(&self) -> String {
        code(self)
    }

    /// Runs the script as an assertion's `transform`: its result, or the
    /// check's FAIL (a throw, no value) or ERROR (a limit).
    pub fn transform(&self, input: &CheckInput<'_>) -> Result<Value, CheckResult> {
        transform(self, input)
    }
}

/// promptfoo's rule: multi-line code is a function body as is; one line is
/// an expression to return (after `const`/`let`/`var` statements, the part
/// after the last statement-level `;`).
fn inline_body(code: &str) -> String {
    let code = code.trim_end();
    if code.contains('\n') {
        return code.to_owned();
    }
    let code = code.trim_end_matches(';').trim();
    let declares = ["const ", "let ", "var "]
        .iter()
        .any(|k| code.starts_with(k));
    match last_statement_break(code).filter(|_| declares) {
        Some(at) => format!("{}; return {}", &code[..at], code[at + 1..].trim()),
        None => format!("return {code}"),
    }
}

/// The byte offset of the last `;` outside strings and brackets.
fn last_statement_break(code: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut last = None;
    for (i, c) in code.char_indices() {
        if let Some(q) = quote {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, c) if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ';' if depth == 0 => last = Some(i),
            _ => {}
        }
    }
    last
}

fn file_script(map: &Map<String, Value>, threshold: Option<f64>) -> Result<Script, String> {
    super::value::check_fields(map, &["file", "source", "function"])?;
    let text = |key: &str| match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!(
            "`{key}` must be a string, got {}",
            super::value::kind_of(other)
        )),
    };
    let file = text("file")?.ok_or("`file` is missing")?;
    let source = text("source")?.ok_or("`source` is missing")?;
    let function = text("function")?;
    let source = source
        .lines()
        .map(|l| match l.strip_prefix("export default ") {
            Some(rest) => format!("module.exports = {rest}"),
            None => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let pick = match &function {
        Some(name) => format!("module.exports[{}]", Value::from(name.as_str())),
        None => "module.exports".to_owned(),
    };
    let shown = match &function {
        Some(name) => format!("file://{file}:{name}"),
        None => format!("file://{file}"),
    };
    let body = format!(
        "const module = {{ exports: {{}} }}; const exports = module.exports;\n{source}\n;\
         const __check = {pick};\n\
         if (typeof __check !== 'function') throw new TypeError({} + ' exports no function (typeof ' + typeof __check + ')');\n\
         return __check(output, context);",
        Value::from(shown.as_str())
    );
    Ok(Script {
        shown,
        body,
        threshold,
    })
}

/// `output` as the script sees it.
pub fn output_value(completion: &Completion) -> Value {
    let call = |c: &crate::completion::ToolCall| {
        let arguments = if c.arguments_error().is_some() {
            Value::String(c.raw_arguments.clone())
        } else {
            c.arguments.clone()
        };
        json!({"name": c.name, "arguments": arguments, "id": c.id})
    };
    match completion.tool_calls.as_slice() {
        [] => Value::String(completion.text.clone()),
        [one] => call(one),
        many => Value::Array(many.iter().map(call).collect()),
    }
}

/// `context` as the script sees it.
pub fn context_value(input: &CheckInput<'_>) -> Value {
    let vars: Map<String, Value> = input
        .vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect();
    json!({"vars": vars, "prompt": input.prompt.unwrap_or_default()})
}

/// The code, shortened, for messages.
#[cfg_attr(not(feature = "javascript"), allow(dead_code))]
fn code(script: &Script) -> String {
    format!("`{}`", trim_chars(&script.shown, 300))
}

#[cfg(feature = "javascript")]
fn compile(script: &Script) -> Result<(), String> {
    use super::js_engine::{DEFAULT_LIMITS, Failure, compile};
    match compile(&script.body, DEFAULT_LIMITS) {
        Ok(()) => Ok(()),
        Err(Failure::Syntax(m)) => Err(format!("{}: {}", code(script), first_line(&m))),
        Err(other) => Err(format!("{}: {}", code(script), failure_text(&other))),
    }
}

#[cfg(not(feature = "javascript"))]
fn compile(_script: &Script) -> Result<(), String> {
    Err(DISABLED.to_owned())
}

#[cfg(not(feature = "javascript"))]
const DISABLED: &str = "`javascript` checks need llama-test's `javascript` feature, which is on by \
     default: remove `default-features = false` or add `features = [\"javascript\"]`";

#[cfg(feature = "javascript")]
fn run(script: &Script, input: &CheckInput<'_>) -> CheckResult {
    use super::js_engine::{DEFAULT_LIMITS, Failure, run};
    let output = input
        .output
        .cloned()
        .unwrap_or_else(|| output_value(input.completion));
    let context = context_value(input);
    match run(&script.body, &output, &context, DEFAULT_LIMITS) {
        Ok(returned) => verdict(script, returned),
        Err(Failure::Threw(message)) => CheckResult::check(
            NAME,
            false,
            format!("make {} hold", code(script)),
            format!("it threw {}", trim_chars(&message, 600)),
        ),
        Err(other) => {
            CheckResult::error(NAME, format!("{}: {}", code(script), failure_text(&other)))
        }
    }
}

#[cfg(not(feature = "javascript"))]
fn run(_script: &Script, _input: &CheckInput<'_>) -> CheckResult {
    CheckResult::error(NAME, DISABLED)
}

#[cfg(feature = "javascript")]
fn transform(script: &Script, input: &CheckInput<'_>) -> Result<Value, CheckResult> {
    use super::js_engine::{DEFAULT_LIMITS, Failure, Returned, run};
    let output = input
        .output
        .cloned()
        .unwrap_or_else(|| output_value(input.completion));
    let context = context_value(input);
    let expected = format!("pass after the transform {}", code(script));
    let no_value = |kind: &str| {
        Err(CheckResult::check(
            "transform",
            false,
            expected.clone(),
            format!("the transform returned {kind}, not a value"),
        ))
    };
    match run(&script.body, &output, &context, DEFAULT_LIMITS) {
        Ok(Returned::Json(Value::Null)) => no_value("null"),
        Ok(Returned::Json(value)) => Ok(value),
        Ok(Returned::Other(kind)) => no_value(&kind),
        Err(Failure::Threw(message)) => Err(CheckResult::check(
            "transform",
            false,
            expected,
            format!("the transform threw {}", trim_chars(&message, 600)),
        )),
        Err(other) => Err(CheckResult::error(
            "transform",
            format!("transform {}: {}", code(script), failure_text(&other)),
        )),
    }
}

#[cfg(not(feature = "javascript"))]
fn transform(_script: &Script, _input: &CheckInput<'_>) -> Result<Value, CheckResult> {
    Err(CheckResult::error("transform", DISABLED))
}

#[cfg(feature = "javascript")]
fn failure_text(failure: &super::js_engine::Failure) -> String {
    use super::js_engine::Failure;
    match failure {
        Failure::Syntax(m) => format!("the code does not compile: {}", first_line(m)),
        Failure::Threw(m) => format!("it threw {m}"),
        Failure::Timeout(t) => format!(
            "the script ran past its {} ms time limit and was stopped (an endless loop?)",
            t.as_millis()
        ),
        Failure::OutOfMemory(bytes) => format!(
            "the script used more than its {} MiB memory limit and was stopped",
            bytes / (1024 * 1024)
        ),
        Failure::Engine(m) => format!("the JavaScript engine failed: {m}"),
    }
}

#[cfg(feature = "javascript")]
fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or_default()
}

/// A result as promptfoo reads it.
#[cfg(feature = "javascript")]
fn verdict(script: &Script, returned: super::js_engine::Returned) -> CheckResult {
    use super::js_engine::Returned;
    let expected = format!("make {} hold", code(script));
    match returned {
        Returned::Json(Value::Bool(b)) => {
            CheckResult::check(NAME, b, expected, format!("it returned {b}"))
        }
        Returned::Json(Value::Number(n)) => {
            let score = n.as_f64().unwrap_or(0.0);
            let (passed, rule) = match script.threshold {
                Some(t) => (score >= t, format!("threshold {t}")),
                None => (score > 0.0, "> 0".to_owned()),
            };
            let expected = format!("make {} score {rule}", code(script));
            CheckResult::scored(
                NAME,
                passed,
                score,
                expected,
                format!("it returned {score}"),
            )
        }
        Returned::Json(Value::Object(map)) if map.contains_key("pass") => grading(&map, expected),
        Returned::Json(other) => CheckResult::check(
            NAME,
            false,
            expected,
            format!(
                "it returned {}, not a boolean, a number or {{pass, score, reason}}",
                trim_chars(&other.to_string(), 200)
            ),
        ),
        Returned::Other(kind) => CheckResult::check(
            NAME,
            false,
            expected,
            format!("it returned {kind}, not a boolean, a number or {{pass, score, reason}}"),
        ),
    }
}

/// `{pass, score, reason}`: `pass` as JavaScript truthiness, `score`
/// defaulting to 1 or 0.
#[cfg(feature = "javascript")]
fn grading(map: &Map<String, Value>, expected: String) -> CheckResult {
    let passed = match map.get("pass") {
        Some(Value::Bool(b)) => *b,
        Some(Value::Null) | None => false,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    };
    let score = map
        .get("score")
        .and_then(Value::as_f64)
        .unwrap_or(if passed { 1.0 } else { 0.0 });
    let reason = match map.get("reason") {
        Some(Value::String(r)) if !r.is_empty() => format!("it said: {r}"),
        _ => format!("it returned pass: {passed}"),
    };
    CheckResult::scored(NAME, passed, score, expected, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_code_is_returned_as_promptfoo_does() {
        assert_eq!(
            inline_body("output.length > 3;"),
            "return output.length > 3"
        );
        assert_eq!(
            inline_body("const a = JSON.parse(output); a.x === ';'"),
            "const a = JSON.parse(output); return a.x === ';'"
        );
        assert_eq!(
            inline_body("if (x) {\n return 1 }\n"),
            "if (x) {\n return 1 }"
        );
    }
}
