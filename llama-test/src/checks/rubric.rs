//! `llm_rubric`: a Llama model grades the answer against a rubric.
//!
//! The grader is asked for `{pass: boolean, score: number, reason: string}`
//! through `response_format: json_schema`, at temperature 0. It fails
//! closed: a reply that is not a JSON object, lacks a boolean `pass`, or has
//! a score outside `0..=1` is an *error* that shows the reply, never a pass.
//!
//! The call itself goes through a [`Grader`] the runtime supplies, so grader
//! calls are recorded and replayed like any other call.

use std::future::Future;
use std::pin::Pin;

use serde_json::{Value, json};

use super::{CheckInput, CheckResult, quoted, tools::describe_call};
use crate::completion::Completion;
use crate::request::{ChatRequest, JsonSchemaFormat, Message};

/// The grader model when neither the assertion nor the test names one.
pub const DEFAULT_GRADER_MODEL: &str = "Llama-3.3-70B-Instruct";

/// The grader's system prompt, adapted from promptfoo's
/// `DEFAULT_GRADING_PROMPT`.
pub const GRADING_SYSTEM_PROMPT: &str = "You are grading output according to a user-specified rubric. \
If the statement in the rubric is true, then the output passes the test. \
You respond with a JSON object with this structure: {\"reason\": string, \"pass\": boolean, \"score\": number}. \
`score` is between 0.0 and 1.0; give 1.0 when the rubric is fully met and 0.0 when it is not met at all.\n\n\
Examples:\n\n\
<Output>Hello world</Output>\n<Rubric>Content contains a greeting</Rubric>\n\
{\"reason\": \"the content contains the word 'Hello'\", \"pass\": true, \"score\": 1.0}\n\n\
<Output>Avast ye swabs, repel the invaders!</Output>\n<Rubric>Does not speak like a pirate</Rubric>\n\
{\"reason\": \"'avast ye' is a common pirate term\", \"pass\": false, \"score\": 0.0}";

/// The future a [`Grader`] returns.
pub type GraderFuture<'a> = Pin<Box<dyn Future<Output = crate::Result<Completion>> + Send + 'a>>;

/// Sends a grading request and returns the grader's answer. The runtime
/// implements this over its client (live, record or replay). Closures
/// `Fn(ChatRequest) -> impl Future<Output = Result<Completion>>` implement it;
/// move an `Arc` of the client into the future.
pub trait Grader: Send + Sync {
    /// Sends `request` (already carrying the rubric prompt, the grader model
    /// and the grading `response_format`) and returns the grader's answer.
    fn complete(&self, request: ChatRequest) -> GraderFuture<'_>;
}

impl<F, Fut> Grader for F
where
    F: Fn(ChatRequest) -> Fut + Send + Sync,
    Fut: Future<Output = crate::Result<Completion>> + Send + 'static,
{
    fn complete(&self, request: ChatRequest) -> GraderFuture<'_> {
        Box::pin(self(request))
    }
}

/// A grader plus the model to use when a rubric names none.
#[derive(Clone, Copy)]
pub struct Grading<'a> {
    /// Where grading requests go.
    pub grader: &'a dyn Grader,
    /// Usually [`DEFAULT_GRADER_MODEL`] or the test's `grader = "..."`.
    pub default_model: &'a str,
}

impl<'a> Grading<'a> {
    /// Grading through `grader` with [`DEFAULT_GRADER_MODEL`].
    pub fn new(grader: &'a dyn Grader) -> Self {
        Grading {
            grader,
            default_model: DEFAULT_GRADER_MODEL,
        }
    }

    /// Uses `model` when a rubric names none.
    pub fn default_model(mut self, model: &'a str) -> Self {
        self.default_model = model;
        self
    }
}

/// One `llm_rubric` assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct Rubric {
    /// What the answer must satisfy, in words.
    pub text: String,
    /// Minimum grader score, on top of the grader's `pass`.
    pub threshold: Option<f64>,
    /// The grader model for this rubric; `None` uses the default.
    pub model: Option<String>,
}

impl Rubric {
    /// A rubric with no threshold and the default grader.
    pub fn new(text: impl Into<String>) -> Self {
        Rubric {
            text: text.into(),
            threshold: None,
            model: None,
        }
    }
}

/// The grader's parsed verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct GraderVerdict {
    /// The grader's `pass`; required, so a reply without it never passes.
    pub pass: bool,
    /// In `0.0..=1.0`; `1` for pass and `0` for fail when the grader sent none.
    pub score: f64,
    /// The grader's explanation; empty when it gave none.
    pub reason: String,
}

/// The `response_format` schema the grader must follow.
pub fn grading_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "pass": {"type": "boolean"},
            "score": {"type": "number"},
            "reason": {"type": "string"}
        },
        "required": ["pass", "score", "reason"],
        "additionalProperties": false
    })
}

/// The request sent to the grader for `output`.
pub fn grading_request(rubric: &Rubric, output: &str, default_model: &str) -> ChatRequest {
    let model = rubric.model.as_deref().unwrap_or(default_model);
    let user = format!(
        "<Output>\n{output}\n</Output>\n<Rubric>\n{}\n</Rubric>",
        rubric.text
    );
    let mut request = ChatRequest::new(model)
        .message(Message::system(GRADING_SYSTEM_PROMPT))
        .message(Message::user(user));
    request.sampling.temperature = Some(0.0);
    request.response_format = Some(JsonSchemaFormat {
        name: "grading".to_owned(),
        schema: grading_schema(),
    });
    request
}

/// What the grader sees as the output: the text, then any tool calls.
pub fn grading_output(completion: &Completion) -> String {
    let mut out = completion.text.clone();
    for call in &completion.tool_calls {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("[tool call] {}", describe_call(call)));
    }
    out
}

/// Parses the grader's reply strictly: the whole text must be a JSON object
/// with a boolean `pass`; `score` must be a number in `0..=1` when present
/// (absent: 1 for pass, 0 for fail); `reason` is optional text.
pub fn parse_grader_reply(reply: &str) -> Result<GraderVerdict, String> {
    let shown = || quoted(reply, 500);
    let value: Value = serde_json::from_str(reply.trim())
        .map_err(|e| format!("the grader's reply is not JSON ({e}): {}", shown()))?;
    let object = value
        .as_object()
        .ok_or_else(|| format!("the grader's reply is not a JSON object: {}", shown()))?;
    let pass = match object.get("pass") {
        Some(Value::Bool(pass)) => *pass,
        Some(other) => {
            return Err(format!(
                "the grader's `pass` is {other}, not a boolean: {}",
                shown()
            ));
        }
        None => {
            return Err(format!(
                "the grader's reply has no `pass` field: {}",
                shown()
            ));
        }
    };
    let score = match object.get("score") {
        None | Some(Value::Null) => {
            if pass {
                1.0
            } else {
                0.0
            }
        }
        Some(Value::Number(n)) => match n.as_f64() {
            Some(s) if (0.0..=1.0).contains(&s) => s,
            _ => {
                return Err(format!(
                    "the grader's `score` {n} is outside 0..=1: {}",
                    shown()
                ));
            }
        },
        Some(other) => {
            return Err(format!(
                "the grader's `score` is {other}, not a number: {}",
                shown()
            ));
        }
    };
    let reason = object
        .get("reason")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Ok(GraderVerdict {
        pass,
        score,
        reason,
    })
}

/// Grades the answer in `input` against `rubric`.
pub async fn llm_rubric(
    input: &CheckInput<'_>,
    rubric: &Rubric,
    grading: &Grading<'_>,
) -> CheckResult {
    const NAME: &str = "llm_rubric";
    let request = grading_request(
        rubric,
        &grading_output(input.completion),
        grading.default_model,
    );
    let model = request.model.clone();
    let reply = match grading.grader.complete(request).await {
        Ok(reply) => reply,
        Err(e) => {
            return CheckResult::error(NAME, format!("the grader call to `{model}` failed: {e}"));
        }
    };
    let verdict = match parse_grader_reply(&reply.text) {
        Ok(verdict) => verdict,
        Err(e) => return CheckResult::error(NAME, format!("grader `{model}`: {e}")),
    };
    let meets_threshold = rubric.threshold.is_none_or(|t| verdict.score >= t);
    let expected = match rubric.threshold {
        Some(t) => format!(
            "satisfy the rubric {} with score ≥ {t}",
            quoted(&rubric.text, 200)
        ),
        None => format!("satisfy the rubric {}", quoted(&rubric.text, 200)),
    };
    let reason = if verdict.reason.is_empty() {
        "(no reason given)".to_owned()
    } else {
        quoted(&verdict.reason, 500)
    };
    let actual = format!(
        "the grader `{model}` said pass={} score={:.2}: {reason}",
        verdict.pass, verdict.score
    );
    CheckResult::scored(
        NAME,
        verdict.pass && meets_threshold,
        verdict.score,
        expected,
        actual,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_pass_is_an_error_not_a_pass() {
        let e = parse_grader_reply(r#"{"score": 0, "reason": "bad"}"#).unwrap_err();
        assert!(e.contains("no `pass`") && e.contains("bad"), "{e}");
        let e = parse_grader_reply(r#"{"pass": "yes", "score": 1}"#).unwrap_err();
        assert!(e.contains("not a boolean"), "{e}");
    }

    #[test]
    fn request_asks_for_the_schema_at_temperature_zero() {
        let r = grading_request(&Rubric::new("is polite"), "Hi!", DEFAULT_GRADER_MODEL);
        assert_eq!(r.model, "Llama-3.3-70B-Instruct");
        assert_eq!(r.sampling.temperature, Some(0.0));
        let format = r.response_format.unwrap();
        assert_eq!(
            format.schema["required"],
            json!(["pass", "score", "reason"])
        );
        assert_eq!(
            r.messages[1].text_content(),
            "<Output>\nHi!\n</Output>\n<Rubric>\nis polite\n</Rubric>"
        );
    }
}
