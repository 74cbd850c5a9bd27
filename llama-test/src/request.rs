//! The typed chat request, independent of which endpoint carries it.
//!
//! [`ChatRequest`] holds what the user asked for; `wire` turns it into the
//! exact JSON body of the native (`/v1`) or compat (`/compat/v1`) endpoint and
//! refuses options an endpoint does not accept instead of dropping them.

use serde_json::Value;

use crate::completion::ToolCall;
use crate::error::{Error, Result};

/// Which of the Llama API's two chat endpoints to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Endpoint {
    /// `POST {base}/v1/chat/completions`, Meta's own format.
    #[default]
    Native,
    /// `POST {base}/compat/v1/chat/completions`, OpenAI Chat Completions.
    Compat,
}

impl Endpoint {
    /// The request path, appended to the base URL.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Native => "/v1/chat/completions",
            Endpoint::Compat => "/compat/v1/chat/completions",
        }
    }

    /// Parses `"native"` or `"compat"`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "native" => Ok(Endpoint::Native),
            "compat" => Ok(Endpoint::Compat),
            other => Err(Error::Config(format!(
                "unknown endpoint `{other}`; expected one of: `native`, `compat`"
            ))),
        }
    }
}

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Instructions that frame the conversation (`"system"`).
    System,
    /// The person asking (`"user"`); the only role that may carry images.
    User,
    /// The model (`"assistant"`), e.g. earlier turns sent back as history.
    Assistant,
    /// A tool result answering one of the assistant's calls (`"tool"`).
    Tool,
}

impl Role {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "system" => Ok(Role::System),
            "user" => Ok(Role::User),
            "assistant" => Ok(Role::Assistant),
            "tool" => Ok(Role::Tool),
            other => Err(Error::Config(format!(
                "unknown message role `{other}`; expected one of: system, user, assistant, tool"
            ))),
        }
    }
}

/// One part of a message's content.
#[derive(Debug, Clone, PartialEq)]
pub enum ContentPart {
    /// Plain text.
    Text(String),
    /// An `https://` URL or a `data:image/...;base64,...` URL.
    ImageUrl(String),
}

/// One chat message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Who said it.
    pub role: Role,
    /// Text and image parts, in order; only user messages may hold images.
    pub content: Vec<ContentPart>,
    /// Calls the assistant made (assistant messages only).
    pub tool_calls: Vec<ToolCall>,
    /// Which call this message answers (tool messages only).
    pub tool_call_id: Option<String>,
}

impl Message {
    fn text(role: Role, text: impl Into<String>) -> Self {
        Message {
            role,
            content: vec![ContentPart::Text(text.into())],
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }

    /// A system message.
    pub fn system(text: impl Into<String>) -> Self {
        Self::text(Role::System, text)
    }

    /// A user message.
    pub fn user(text: impl Into<String>) -> Self {
        Self::text(Role::User, text)
    }

    /// An assistant message (history).
    pub fn assistant(text: impl Into<String>) -> Self {
        Self::text(Role::Assistant, text)
    }

    /// An assistant turn that made tool calls, as sent back in history.
    pub fn assistant_tool_calls(text: impl Into<String>, calls: Vec<ToolCall>) -> Self {
        Message {
            tool_calls: calls,
            ..Self::text(Role::Assistant, text)
        }
    }

    /// A tool result answering the call `tool_call_id`.
    pub fn tool(tool_call_id: impl Into<String>, text: impl Into<String>) -> Self {
        Message {
            tool_call_id: Some(tool_call_id.into()),
            ..Self::text(Role::Tool, text)
        }
    }

    /// Appends an image part (a URL or data URL).
    pub fn with_image_url(mut self, url: impl Into<String>) -> Self {
        self.content.push(ContentPart::ImageUrl(url.into()));
        self
    }

    /// The concatenated text parts.
    pub fn text_content(&self) -> String {
        self.content
            .iter()
            .filter_map(|p| match p {
                ContentPart::Text(t) => Some(t.as_str()),
                ContentPart::ImageUrl(_) => None,
            })
            .collect()
    }

    /// The image URLs in this message.
    pub fn image_urls(&self) -> impl Iterator<Item = &str> {
        self.content.iter().filter_map(|p| match p {
            ContentPart::ImageUrl(u) => Some(u.as_str()),
            ContentPart::Text(_) => None,
        })
    }
}

/// A function the model may call.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    /// `[a-zA-Z0-9_-]`, at most 64 characters.
    pub name: String,
    /// What the tool does, shown to the model; omitted from the body when `None`.
    pub description: Option<String>,
    /// JSON Schema of the arguments object; `None` means no parameters.
    pub parameters: Option<Value>,
    /// Asks the API to hold the arguments strictly to `parameters`; omitted
    /// from the body when `None` (the API's default applies).
    pub strict: Option<bool>,
}

impl Tool {
    /// A tool with a name and parameters schema.
    pub fn function(name: impl Into<String>, parameters: Value) -> Self {
        Tool {
            name: name.into(),
            description: None,
            parameters: Some(parameters),
            strict: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Parses tool definitions in the Llama/OpenAI function format: an array
    /// of `{"type": "function", "function": {name, description?, parameters?,
    /// strict?}}`. A bare `{name, ...}` entry is accepted too. `source` names
    /// the file in error messages. `#[llama_eval(tools = ...)]` runs the same
    /// parser (`llama_test_core::files::tools`) at compile time.
    pub fn list_from_json(value: &Value, source: &str) -> Result<Vec<Tool>> {
        let tools = llama_test_core::files::tools(value)
            .map_err(|e| Error::Config(format!("{source}: {e}")))?;
        Ok(tools
            .into_iter()
            .map(|t| Tool {
                name: t.name,
                description: t.description,
                parameters: t.parameters,
                strict: t.strict,
            })
            .collect())
    }
}

/// Whether and which tool the model must call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoice {
    /// The model decides whether to call a tool (`"auto"`).
    Auto,
    /// The model must call some tool (`"required"`).
    Required,
    /// The model must not call a tool (`"none"`).
    None,
    /// Force a call to the named function.
    Function(String),
}

impl ToolChoice {
    /// `"auto"`, `"required"`, `"none"`, or a function name.
    pub fn parse(s: &str) -> Self {
        match s {
            "auto" => ToolChoice::Auto,
            "required" => ToolChoice::Required,
            "none" => ToolChoice::None,
            name => ToolChoice::Function(name.to_owned()),
        }
    }
}

/// `response_format: {type: json_schema, json_schema: {name, schema}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonSchemaFormat {
    /// The schema's name, sent as `json_schema.name`.
    pub name: String,
    /// The JSON Schema the answer must follow, sent as `json_schema.schema`.
    pub schema: Value,
}

pub use llama_test_core::sampling::Sampling;

/// One chat completion request.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// Bare model id (any `llamaapi:` prefix already stripped).
    pub model: String,
    /// The conversation, oldest first; must not be empty when sent.
    pub messages: Vec<Message>,
    /// Sampling options; all unset by default.
    pub sampling: Sampling,
    /// Ask for server-sent events instead of one JSON body (default `false`).
    pub stream: bool,
    /// Functions the model may call (default none).
    pub tools: Vec<Tool>,
    /// Whether and which tool the model must call; `None` leaves it to the API.
    pub tool_choice: Option<ToolChoice>,
    /// Constrain the answer to a JSON Schema (`response_format`).
    pub response_format: Option<JsonSchemaFormat>,
    /// An end-user id passed through as `user`.
    pub user: Option<String>,
    /// Which endpoint to call (default [`Endpoint::Native`]).
    pub endpoint: Endpoint,
    /// Fields merged into the JSON body verbatim, after everything else
    /// (and after the provider's `extra_body`): server options llama-test
    /// does not model, such as llama.cpp's `logit_bias`.
    pub extra_body: Option<serde_json::Map<String, Value>>,
}

impl ChatRequest {
    /// A request for `model` (promptfoo ids accepted) with no messages yet.
    pub fn new(model: impl AsRef<str>) -> Self {
        ChatRequest {
            model: crate::catalogue::parse_provider_id(model.as_ref()).to_owned(),
            messages: Vec::new(),
            sampling: Sampling::default(),
            stream: false,
            tools: Vec::new(),
            tool_choice: None,
            response_format: None,
            user: None,
            endpoint: Endpoint::Native,
            extra_body: None,
        }
    }

    /// Appends a message.
    pub fn message(mut self, message: Message) -> Self {
        self.messages.push(message);
        self
    }

    /// All image URLs across the messages.
    pub fn image_urls(&self) -> impl Iterator<Item = &str> {
        self.messages.iter().flat_map(Message::image_urls)
    }

    /// The text of the last user message: the rendered prompt, as
    /// `javascript` checks see it in `context.prompt`.
    pub fn prompt_text(&self) -> Option<String> {
        self.messages
            .iter()
            .rev()
            .find(|m| m.role == Role::User)
            .map(Message::text_content)
    }
}
