//! The programmatic API: what the attribute cannot express, such as
//! multi-turn tool use (send the tool result back, assert on the answer).
//!
//! Calls made with [`Eval`] inside a `#[llama_eval]` test go through that
//! test's fixture session: they are recorded and replayed with its other
//! calls, in order.

use serde_json::Value;

use crate::agent::{DEFAULT_MAX_STEPS, ToolRegistry, ToolResult};
use crate::error::{Error, Result};
use crate::output::Output;
use crate::request::{
    ChatRequest, ContentPart, Endpoint, JsonSchemaFormat, Message, Role, Tool, ToolChoice,
};

/// A chat request being built, run inside the current `#[llama_eval]` test.
///
/// ```no_run
/// use llama_test::prelude::*;
///
/// #[llama_eval(
///     model = "Llama-3.3-70B-Instruct",
///     prompt = "What's the weather like in {{city}}?",
///     tools = "tests/data/get_weather.json",
///     case(city = "New York, NY"),
/// )]
/// async fn answers_with_tool_result(out: Output) {
///     let call = out.assert_function_call("get_weather");
///     let answer = out
///         .follow_up()
///         .tool_result(&call.id, r#"{"temperature": 21, "unit": "celsius"}"#)
///         .run()
///         .await;
///     answer.assert_contains("21");
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Eval {
    request: ChatRequest,
    problem: Option<String>,
    registry: ToolRegistry,
    max_steps: Option<usize>,
    then_tool_choice: Option<ToolChoice>,
}

impl Eval {
    /// A request to `model` (promptfoo ids such as `llamaapi:chat:ID` accepted).
    pub fn new(model: impl AsRef<str>) -> Self {
        Eval {
            request: ChatRequest::new(model),
            problem: None,
            registry: ToolRegistry::default(),
            max_steps: None,
            then_tool_choice: None,
        }
    }

    /// Continues the conversation of `output`: same model, options and tools;
    /// its messages plus the assistant's answer (with any tool calls) as history.
    /// `tool_choice` is reset, so a forced call is not forced again after the
    /// tool's result; set it again with [`Eval::tool_choice`] if needed.
    pub fn continue_from(output: &Output) -> Self {
        let mut request = output.request().clone();
        request.tool_choice = None;
        let completion = output.completion();
        request.messages.push(Message::assistant_tool_calls(
            completion.text.clone(),
            completion.tool_calls.clone(),
        ));
        Eval {
            request,
            problem: None,
            registry: ToolRegistry::default(),
            max_steps: None,
            then_tool_choice: None,
        }
    }

    /// Starts from a prepared request.
    pub fn from_request(request: ChatRequest) -> Self {
        Eval {
            request,
            problem: None,
            registry: ToolRegistry::default(),
            max_steps: None,
            then_tool_choice: None,
        }
    }

    /// Sets the system message (replacing an existing one).
    pub fn system(mut self, text: impl Into<String>) -> Self {
        self.request.messages.retain(|m| m.role != Role::System);
        self.request.messages.insert(0, Message::system(text));
        self
    }

    /// Appends a user message.
    pub fn prompt(self, text: impl Into<String>) -> Self {
        self.message(Message::user(text))
    }

    /// Appends any message.
    pub fn message(mut self, message: Message) -> Self {
        self.request.messages.push(message);
        self
    }

    /// Appends several messages.
    pub fn messages(mut self, messages: impl IntoIterator<Item = Message>) -> Self {
        self.request.messages.extend(messages);
        self
    }

    /// Appends a tool result answering the call `tool_call_id`.
    pub fn tool_result(self, tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        self.message(Message::tool(tool_call_id, content))
    }

    /// Adds an image (an `https://` or `data:` URL) to the last user message.
    pub fn image_url(mut self, url: impl Into<String>) -> Self {
        match self
            .request
            .messages
            .iter_mut()
            .rev()
            .find(|m| m.role == Role::User)
        {
            Some(message) => message.content.push(ContentPart::ImageUrl(url.into())),
            None => {
                self.problem =
                    Some("`image_url` needs a user message first; call `prompt` before it".into())
            }
        }
        self
    }

    /// Adds a local image file (sent as a base64 data URL) to the last user message.
    pub fn image_file(self, path: impl AsRef<std::path::Path>) -> Self {
        let path = path.as_ref();
        let loaded = std::fs::read(path)
            .map_err(|e| Error::Config(format!("cannot read image {}: {e}", path.display())))
            .and_then(|bytes| {
                crate::images::image_url_from_bytes(&bytes, &path.display().to_string())
            });
        match loaded {
            Ok(url) => self.image_url(url),
            Err(e) => Eval {
                problem: Some(e.to_string()),
                ..self
            },
        }
    }

    /// Declares the tools the model may call.
    pub fn tools(mut self, tools: impl IntoIterator<Item = Tool>) -> Self {
        self.request.tools = tools.into_iter().collect();
        self
    }

    /// Declares tools from their JSON definitions (Llama/OpenAI function format).
    pub fn tools_json(mut self, tools: &Value) -> Self {
        match Tool::list_from_json(tools, "tools") {
            Ok(tools) => self.request.tools = tools,
            Err(e) => self.problem = Some(e.to_string()),
        }
        self
    }

    /// Whether and which tool the model must call.
    pub fn tool_choice(mut self, choice: ToolChoice) -> Self {
        self.request.tool_choice = Some(choice);
        self
    }

    /// Requests structured output validated by the server against `schema`.
    pub fn json_schema(mut self, name: impl Into<String>, schema: Value) -> Self {
        self.request.response_format = Some(JsonSchemaFormat {
            name: name.into(),
            schema,
        });
        self
    }

    /// Sampling temperature.
    pub fn temperature(mut self, value: f64) -> Self {
        self.request.sampling.temperature = Some(value);
        self
    }

    /// Nucleus sampling.
    pub fn top_p(mut self, value: f64) -> Self {
        self.request.sampling.top_p = Some(value);
        self
    }

    /// Top-k sampling.
    pub fn top_k(mut self, value: u32) -> Self {
        self.request.sampling.top_k = Some(value);
        self
    }

    /// Maximum answer length (native: `max_completion_tokens`).
    pub fn max_tokens(mut self, value: u32) -> Self {
        self.request.sampling.max_tokens = Some(value);
        self
    }

    /// Native repetition penalty.
    pub fn repetition_penalty(mut self, value: f64) -> Self {
        self.request.sampling.repetition_penalty = Some(value);
        self
    }

    /// OpenAI frequency penalty (compat endpoint only).
    pub fn frequency_penalty(mut self, value: f64) -> Self {
        self.request.sampling.frequency_penalty = Some(value);
        self
    }

    /// OpenAI presence penalty (compat endpoint only).
    pub fn presence_penalty(mut self, value: f64) -> Self {
        self.request.sampling.presence_penalty = Some(value);
        self
    }

    /// Streams the answer over SSE.
    pub fn stream(mut self, stream: bool) -> Self {
        self.request.stream = stream;
        self
    }

    /// Native (default) or OpenAI-compatible endpoint.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.request.endpoint = endpoint;
        self
    }

    /// Registers the Rust implementation of the tool `name`, run by
    /// [`Eval::run_agent`] for each call the model makes. Arguments are
    /// validated against the tool's declared `parameters` schema first; a
    /// violation is sent back to the model as an error result.
    ///
    /// ```no_run
    /// use llama_test::prelude::*;
    /// use serde_json::{Value, json};
    ///
    /// async fn get_weather(args: Value) -> Result<Value, String> {
    ///     Ok(json!({"location": args["location"], "temperature": 21}))
    /// }
    /// # async fn body() {
    /// let out = Eval::new("Llama-3.3-70B-Instruct")
    ///     .tools_json(&json!([{"type": "function", "function": {"name": "get_weather",
    ///         "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}}]))
    ///     .tool("get_weather", get_weather)
    ///     .max_steps(4)
    ///     .prompt("What's the weather in Paris?")
    ///     .run_agent()
    ///     .await;
    /// out.assert_tool_used("get_weather");
    /// # }
    /// ```
    pub fn tool<F, Fut>(mut self, name: impl Into<String>, implementation: F) -> Self
    where
        F: Fn(Value) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ToolResult> + Send + 'static,
    {
        self.registry.insert(name, implementation);
        self
    }

    /// Registers every implementation of `registry`.
    pub fn tool_registry(mut self, registry: ToolRegistry) -> Self {
        self.registry.merge(registry);
        self
    }

    /// The most model turns [`Eval::run_agent`] makes (default 10); a model
    /// still calling tools at the limit fails the eval.
    pub fn max_steps(mut self, steps: usize) -> Self {
        self.max_steps = Some(steps.max(1));
        self
    }

    /// The `tool_choice` [`Eval::run_agent`] sends on every turn after the
    /// first (default: none sent, the server's `auto`). With
    /// `.tool_choice(ToolChoice::Required)` this makes "call a tool, then
    /// answer" explicit for models that would otherwise keep calling:
    ///
    /// ```no_run
    /// # use llama_test::prelude::*;
    /// # async fn body(agent: Eval) {
    /// let out = agent
    ///     .tool_choice(ToolChoice::Required)
    ///     .then_tool_choice(ToolChoice::None)
    ///     .run_agent()
    ///     .await;
    /// # }
    /// ```
    pub fn then_tool_choice(mut self, choice: ToolChoice) -> Self {
        self.then_tool_choice = Some(choice);
        self
    }

    /// Runs the tool loop: calls the model, runs each requested tool (the
    /// calls of one turn concurrently), sends the results back, until the
    /// model answers without a tool call or `max_steps` turns were made.
    /// The returned output is the last answer, with
    /// [`Output::trajectory`] set; hitting the limit is not an error here
    /// (see [`Trajectory::hit_step_limit`](crate::agent::Trajectory)).
    pub async fn try_run_agent(mut self) -> Result<Output> {
        if let Some(problem) = self.problem.take() {
            return Err(Error::Config(problem));
        }
        let registry = std::mem::take(&mut self.registry);
        let options = crate::agent::LoopOptions {
            max_steps: self.max_steps.unwrap_or(DEFAULT_MAX_STEPS),
            then_tool_choice: self.then_tool_choice.take(),
        };
        crate::agent::run_loop(self, registry, options).await
    }

    /// Like [`Eval::try_run_agent`], panicking with `llama-test ERROR` on a
    /// harness error and `llama-test FAIL` (showing the steps) when the loop
    /// hit `max_steps` with the model still calling tools.
    pub async fn run_agent(self) -> Output {
        let output = match self.try_run_agent().await {
            Ok(output) => output,
            Err(e) => {
                let test = crate::runtime::CURRENT
                    .try_with(|c| format!(" {}", c.info.test_path))
                    .unwrap_or_default();
                panic!("llama-test ERROR{test}: {e}")
            }
        };
        if let Some(t) = output.trajectory().filter(|t| t.hit_step_limit) {
            panic!(
                "llama-test FAIL {}: the agent loop hit max_steps = {} with the model still calling tools\nsteps:\n{}",
                output.context.info.test_path,
                t.max_steps,
                t.describe()
            );
        }
        output
    }

    /// The request as built so far.
    pub fn request(&self) -> &ChatRequest {
        &self.request
    }

    /// Sends the request through the current test's fixture session.
    pub async fn try_run(self) -> Result<Output> {
        if let Some(problem) = self.problem {
            return Err(Error::Config(problem));
        }
        let (completion, context) = crate::runtime::send_in_current(&self.request).await?;
        Ok(Output::new(completion, self.request, context))
    }

    /// Like [`Eval::try_run`], panicking with a `llama-test ERROR` message
    /// on failure (the usual choice in a test body).
    pub async fn run(self) -> Output {
        match self.try_run().await {
            Ok(output) => output,
            Err(e) => {
                let test = crate::runtime::CURRENT
                    .try_with(|c| format!(" {}", c.info.test_path))
                    .unwrap_or_default();
                panic!("llama-test ERROR{test}: {e}")
            }
        }
    }

    /// [`Eval::run`] for synchronous test bodies.
    pub fn run_blocking(self) -> Output {
        crate::runtime::block_on_nested(self.run())
    }
}

impl Output {
    /// Continues this conversation: see [`Eval::continue_from`].
    pub fn follow_up(&self) -> Eval {
        Eval::continue_from(self)
    }
}
