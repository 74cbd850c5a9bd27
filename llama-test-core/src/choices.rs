//! The words of closed choices the attribute and the environment share:
//! the endpoints of Meta's Llama API and the run modes. The macro checks
//! them at compile time, the runtime parses `LLAMA_TEST_MODE` with them.

/// `endpoint = "..."`: Meta's own format, or its OpenAI-compatible one.
pub const ENDPOINTS: &[&str] = &["native", "compat"];

/// The `tool_choice` modes; any other value names a tool.
pub const TOOL_CHOICE_MODES: &[&str] = &["auto", "required", "none"];

/// `record = "..."` and `LLAMA_TEST_MODE`.
pub const MODES: &[&str] = &["auto", "replay", "record", "live"];
