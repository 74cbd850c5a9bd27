//! promptfoo's `transform` on an assertion: JavaScript over `output` (the
//! same `output` and `context` a `javascript` check sees) whose result is
//! what that one check looks at.
//!
//! - A string result becomes the answer text; any other JSON value becomes
//!   its JSON text, so `equals`, `is-json`, `contains`, ... work on it. The
//!   answer's tool calls are not part of the transformed output (a tool
//!   check after a transform sees none), while latency, usage and cost stay
//!   the answer's.
//! - A `javascript` check after a transform gets the result itself as
//!   `output` (an object stays an object), as in promptfoo.
//! - A throw, or no value (`undefined`, `null`), is the check's FAIL (the
//!   answer did not have the shape the transform expects); a time or memory
//!   limit is an ERROR; a syntax error is an ERROR before any request.
//!
//! ```
//! # use llama_test::{Completion, Endpoint};
//! use llama_test::checks::{Assertion, CheckInput};
//! use serde_json::json;
//!
//! let mut answer = Completion::empty("Llama-3.3-70B-Instruct", Endpoint::Native);
//! answer.text = r#"{"category": "Billing"}"#.into();
//! let check = Assertion::parse("equals", json!("billing"), 1.0, None)?
//!     .with_transform(&json!("JSON.parse(output).category.toLowerCase()"))?;
//! # #[cfg(feature = "javascript")]
//! assert!(check.evaluate(&CheckInput::new(&answer)).passed());
//! # Ok::<(), llama_test::Error>(())
//! ```

use serde_json::Value;

use super::CheckInput;
use crate::completion::Completion;

/// The output after a transform: the answer as text checks see it and the
/// value a `javascript` check gets.
#[derive(Debug, Clone)]
pub(super) struct Transformed {
    completion: Completion,
    value: Value,
}

impl Transformed {
    /// The transform's `value` in place of `original`'s text and calls.
    pub(super) fn new(original: &Completion, value: Value) -> Transformed {
        let mut completion = original.clone();
        completion.text = match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        completion.tool_calls.clear();
        Transformed { completion, value }
    }

    /// `base` with this output in place of the answer's.
    pub(super) fn input<'a>(&'a self, base: &CheckInput<'a>) -> CheckInput<'a> {
        CheckInput {
            completion: &self.completion,
            output: Some(&self.value),
            ..*base
        }
    }
}
