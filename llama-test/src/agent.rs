//! The agent loop: Rust tool implementations given to [`Eval::tool`], run
//! by [`Eval::run_agent`] until the model answers or the step limit is hit.
//!
//! Every model turn goes through the test's fixture session, so the whole
//! loop is one fixture: on replay the implementations run again and their
//! results are part of the next recorded request, so a changed
//! implementation is a replay miss at the turn its result was sent back.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};

use crate::checks::schema::{Schema, describe_violations};
use crate::completion::{ToolCall, Usage};
use crate::error::Result;
use crate::eval::Eval;
use crate::output::Output;
use crate::request::{ChatRequest, ToolChoice};

/// What a tool implementation returns: a JSON result, or an error message
/// sent back to the model as `{"error": message}`.
pub type ToolResult = std::result::Result<Value, String>;

type BoxedTool =
    Arc<dyn Fn(Value) -> Pin<Box<dyn Future<Output = ToolResult> + Send>> + Send + Sync>;

/// Tool implementations by name.
#[derive(Clone, Default)]
pub struct ToolRegistry {
    tools: BTreeMap<String, BoxedTool>,
}

impl std::fmt::Debug for ToolRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.tools.keys()).finish()
    }
}

impl ToolRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the implementation of `name`.
    pub fn tool<F, Fut>(mut self, name: impl Into<String>, implementation: F) -> Self
    where
        F: Fn(Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolResult> + Send + 'static,
    {
        self.insert(name, implementation);
        self
    }

    pub(crate) fn insert<F, Fut>(&mut self, name: impl Into<String>, implementation: F)
    where
        F: Fn(Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolResult> + Send + 'static,
    {
        let boxed: BoxedTool = Arc::new(move |args| Box::pin(implementation(args)));
        self.tools.insert(name.into(), boxed);
    }

    pub(crate) fn merge(&mut self, other: ToolRegistry) {
        self.tools.extend(other.tools);
    }

    /// The registered names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.tools.keys().map(String::as_str).collect()
    }

    /// Whether no tool is registered.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }
}

/// One tool call of the loop and what its implementation returned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The model turn (0-based) that made the call.
    pub turn: usize,
    /// The call id.
    pub id: String,
    /// The tool name.
    pub name: String,
    /// The parsed arguments (`null` when not valid JSON).
    pub arguments: Value,
    /// The result, or the error sent back (schema violation, unknown tool,
    /// or the implementation's own error).
    pub result: std::result::Result<Value, String>,
    /// Time the implementation took (zero when it did not run).
    #[serde(skip)]
    pub latency: Duration,
    /// Tokens of the model turn that made the call.
    pub tokens: Option<Usage>,
}

impl Step {
    /// Whether the call failed (validation or implementation error).
    pub fn failed(&self) -> bool {
        self.result.is_err()
    }

    /// `name(args) -> result`, for messages.
    pub fn describe(&self) -> String {
        let result = match &self.result {
            Ok(v) => crate::checks::trim_chars(&v.to_string(), 200),
            Err(e) => format!("error: {}", crate::checks::trim_chars(e, 200)),
        };
        format!(
            "turn {}: {}({}) -> {result}",
            self.turn + 1,
            self.name,
            crate::checks::trim_chars(&self.arguments.to_string(), 200)
        )
    }
}

/// The whole loop: every tool step, the final answer and totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trajectory {
    /// Tool calls in order (parallel calls of one turn in the model's order).
    pub steps: Vec<Step>,
    /// Model calls made.
    pub turns: usize,
    /// The text of the last answer.
    pub final_answer: String,
    /// Tokens summed over every turn.
    pub total_tokens: Usage,
    /// Model latency plus tool latency over the loop.
    #[serde(skip)]
    pub total_latency: Duration,
    /// The loop ended at `max_steps` with the model still calling tools.
    pub hit_step_limit: bool,
    /// The limit in force.
    pub max_steps: usize,
}

impl Trajectory {
    /// The tool names called, in order.
    pub fn tool_names(&self) -> Vec<&str> {
        self.steps.iter().map(|s| s.name.as_str()).collect()
    }

    /// Every step on its own line, for failure messages.
    pub fn describe(&self) -> String {
        if self.steps.is_empty() {
            return "no tool was called".to_owned();
        }
        let lines: Vec<String> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("  step {} ({})", i + 1, s.describe()))
            .collect();
        lines.join("\n")
    }
}

/// The default step limit (model turns) when none is set.
pub const DEFAULT_MAX_STEPS: usize = 10;

fn add_usage(total: &mut Usage, usage: Option<Usage>) {
    if let Some(u) = usage {
        total.prompt_tokens += u.prompt_tokens;
        total.completion_tokens += u.completion_tokens;
        total.total_tokens += u.total_tokens;
    }
}

async fn run_call(request: &ChatRequest, registry: &ToolRegistry, call: &ToolCall) -> ToolResult {
    let Some(implementation) = registry.tools.get(&call.name) else {
        return Err(format!(
            "no tool named `{}` (available: {})",
            call.name,
            registry.names().join(", ")
        ));
    };
    if let Some(e) = call.arguments_error() {
        return Err(format!("the arguments are not valid JSON: {e}"));
    }
    let declared = request.tools.iter().find(|t| t.name == call.name);
    if let Some(schema) = declared.and_then(|t| t.parameters.as_ref()) {
        let schema = Schema::compile(schema).map_err(|e| format!("tool `{}`: {e}", call.name))?;
        let violations = schema.violations(&call.arguments);
        if !violations.is_empty() {
            return Err(format!(
                "the arguments do not match the schema of `{}`: {}",
                call.name,
                describe_violations(&violations)
            ));
        }
    }
    implementation(call.arguments.clone()).await
}

/// The content sent back for a result: a string as is, other JSON as text,
/// an error as `{"error": message}`.
pub(crate) fn result_content(result: &ToolResult) -> String {
    match result {
        Ok(Value::String(s)) => s.clone(),
        Ok(v) => v.to_string(),
        Err(e) => json!({ "error": e }).to_string(),
    }
}

/// How the loop runs: its step limit and the `tool_choice` of every turn
/// after the first.
#[derive(Debug, Clone)]
pub(crate) struct LoopOptions {
    /// The most model turns.
    pub max_steps: usize,
    /// Sent on turns 2, 3, ...; `None` leaves `tool_choice` unset (the
    /// server's `auto`), so a first turn forced with `required` is not
    /// forced again after the tool's result.
    pub then_tool_choice: Option<ToolChoice>,
}

/// The declared tools that `registry` has no implementation for.
pub(crate) fn missing_implementations(
    request: &ChatRequest,
    registry: &ToolRegistry,
) -> Vec<String> {
    request
        .tools
        .iter()
        .filter(|t| !registry.tools.contains_key(&t.name))
        .map(|t| t.name.clone())
        .collect()
}

/// Sends `first`, then runs the loop from its answer.
pub(crate) async fn run_loop(
    first: Eval,
    registry: ToolRegistry,
    options: LoopOptions,
) -> Result<Output> {
    let output = first.try_run().await?;
    drive(output, &registry, &options).await
}

/// Runs the loop from the first turn's `output`: run the calls of a turn
/// (concurrently), send the results back, until the model answers without
/// a tool call or `max_steps` turns were made.
pub(crate) async fn drive(
    first: Output,
    registry: &ToolRegistry,
    options: &LoopOptions,
) -> Result<Output> {
    let mut trajectory = Trajectory {
        max_steps: options.max_steps,
        ..Trajectory::default()
    };
    let mut output = first;
    loop {
        let turn = trajectory.turns;
        trajectory.turns += 1;
        add_usage(&mut trajectory.total_tokens, output.usage());
        trajectory.total_latency += output.latency();
        trajectory.final_answer = output.text().to_owned();
        if output.tool_calls().is_empty() {
            return Ok(output.with_trajectory(trajectory));
        }
        let results = futures_util::future::join_all(output.tool_calls().iter().map(|call| {
            let request = output.request();
            async move {
                let started = Instant::now();
                let result = run_call(request, registry, call).await;
                (result, started.elapsed())
            }
        }))
        .await;
        let mut next = Eval::continue_from(&output);
        if let Some(choice) = &options.then_tool_choice {
            next = next.tool_choice(choice.clone());
        }
        for (call, (result, latency)) in output.tool_calls().iter().zip(results) {
            next = next.tool_result(call.id.clone(), result_content(&result));
            trajectory.total_latency += latency;
            trajectory.steps.push(Step {
                turn,
                id: call.id.clone(),
                name: call.name.clone(),
                arguments: call.arguments.clone(),
                result,
                latency,
                tokens: output.usage(),
            });
        }
        if trajectory.turns >= options.max_steps {
            trajectory.hit_step_limit = true;
            return Ok(output.with_trajectory(trajectory));
        }
        output = next.try_run().await?;
    }
}
