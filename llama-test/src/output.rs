//! What an eval's body receives: the answer plus what is needed to check it.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::agent::Trajectory;
use crate::completion::{Completion, StopReason, ToolCall, Usage};
use crate::context::TestContext;
use crate::request::ChatRequest;

/// The result of one eval call: the normalized answer, the request that
/// produced it, and the test it belongs to.
///
/// Accessors read the answer; `assert_*` methods check it and panic with a
/// message that shows expected vs. actual, a trimmed output and the fixture.
#[derive(Clone)]
pub struct Output {
    pub(crate) completion: Completion,
    pub(crate) request: ChatRequest,
    pub(crate) context: Arc<TestContext>,
    pub(crate) trajectory: Option<Arc<Trajectory>>,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("test", &self.context.info.name)
            .field("model", &self.completion.model)
            .field("text", &self.completion.text)
            .field("tool_calls", &self.completion.tool_calls)
            .field("stop_reason", &self.completion.stop_reason)
            .finish()
    }
}

impl Output {
    pub(crate) fn new(
        completion: Completion,
        request: ChatRequest,
        context: Arc<TestContext>,
    ) -> Self {
        Output {
            completion,
            request,
            context,
            trajectory: None,
        }
    }

    pub(crate) fn with_trajectory(mut self, trajectory: Trajectory) -> Self {
        self.trajectory = Some(Arc::new(trajectory));
        self
    }

    /// The agent loop that produced this output ([`Eval::run_agent`](crate::Eval::run_agent)),
    /// or `None` for a single call.
    pub fn trajectory(&self) -> Option<&Trajectory> {
        self.trajectory.as_deref()
    }

    /// The assistant text (empty for a pure tool-call answer).
    pub fn text(&self) -> &str {
        &self.completion.text
    }

    /// The text parsed as JSON into `T` (e.g. `serde_json::Value` or your own
    /// `#[derive(Deserialize)]` type). Fails with the serde error and the text.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, crate::Error> {
        serde_json::from_str(self.text()).map_err(|e| crate::Error::Decode {
            message: format!(
                "the output is not the expected JSON ({e}); output: {}",
                crate::checks::trim_chars(self.text(), 500)
            ),
        })
    }

    /// Tool calls in order, with parsed `arguments`.
    pub fn tool_calls(&self) -> &[ToolCall] {
        &self.completion.tool_calls
    }

    /// The first call to the function `name`, if any.
    pub fn tool_call(&self, name: &str) -> Option<&ToolCall> {
        self.completion.tool_calls.iter().find(|c| c.name == name)
    }

    /// The model's reasoning, when the server sends it apart from the answer
    /// (`reasoning_content` from llama.cpp, `reasoning` from vLLM and
    /// OpenRouter; streamed deltas are joined).
    pub fn reasoning(&self) -> Option<&str> {
        self.completion.reasoning.as_deref()
    }

    /// Why the server refused the model's generation instead of answering
    /// (a malformed tool call: Groq's `tool_use_failed`, llama.cpp's format
    /// error). The raw generation, when returned, is [`Output::text`].
    pub fn generation_error(&self) -> Option<&str> {
        self.completion.generation_error.as_deref()
    }

    /// Why generation stopped (`ToolCalls` whenever tool calls are present).
    pub fn stop_reason(&self) -> Option<&StopReason> {
        self.completion.stop_reason.as_ref()
    }

    /// Token usage from the response's `metrics` (native) or `usage` (compat).
    pub fn usage(&self) -> Option<Usage> {
        self.completion.usage
    }

    /// Wall time of the call that produced this output (a replayed call
    /// reports the latency recorded with it).
    pub fn latency(&self) -> Duration {
        self.completion.latency
    }

    /// Time to the first streamed token (streams only).
    pub fn time_to_first_token(&self) -> Option<Duration> {
        self.completion.time_to_first_token
    }

    /// The model that was asked.
    pub fn model(&self) -> &str {
        &self.completion.model
    }

    /// The request that produced this output.
    pub fn request(&self) -> &ChatRequest {
        &self.request
    }

    /// The whole normalized completion.
    pub fn completion(&self) -> &Completion {
        &self.completion
    }

    /// The stable test id used for the fixture and snapshot names.
    pub fn snapshot_name(&self) -> &str {
        &self.context.info.name
    }

    /// The fixture file this test replays from or records to, if any.
    pub fn fixture_path(&self) -> Option<&std::path::Path> {
        self.context.info.fixture_path.as_deref()
    }

    /// Whether this output came from a live (unrecorded) call.
    pub fn is_live(&self) -> bool {
        self.context.info.mode == crate::Mode::Live
    }
}
