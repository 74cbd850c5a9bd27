//! OpenAI-compatible hosts, as the simulator plays them: each provider is
//! served under its own path prefix (`/openrouter/v1/chat/completions`,
//! `/llamacpp/v1/chat/completions`, ...), so a test points
//! `LLAMA_TEST_<PROVIDER>_BASE_URL` at `<sim>/<provider>`. Meta's native
//! endpoint keeps `/v1`.
//!
//! Each dialect differs where the real hosts do (`reference/llama-hosts.md`,
//! `reference/llama-cpp-server.md`): how the key travels, which models are
//! served and how an unknown one is refused, rate-limit headers, and the
//! shape of answers (llama.cpp's `content: ""` and 32-character call ids,
//! Groq's stream usage in `x_groq`). Errors a host returns for a bad
//! generation or mid-answer are scripted with
//! [`Fault::with_body`](super::Fault::with_body).

use serde_json::{Value, json};
use wiremock::ResponseTemplate;

use llama_test_core::providers::{Auth, PRESETS, ProviderKind, preset};

/// One simulated OpenAI-compatible host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dialect {
    /// The provider name, also the path prefix.
    pub name: &'static str,
}

impl Dialect {
    /// The dialect a path prefix names, with the rest of the path.
    pub(crate) fn of(path: &str) -> Option<(Dialect, &str)> {
        let (name, _) = path.strip_prefix('/')?.split_once('/')?;
        let preset = PRESETS
            .iter()
            .find(|p| p.name == name && p.kind == ProviderKind::OpenAi)?;
        let rest = &path[name.len() + 1..];
        // Azure's v1 API lives under `/openai/v1`.
        let rest = rest.strip_prefix("/openai").unwrap_or(rest);
        Some((Dialect { name: preset.name }, rest))
    }

    /// Local servers answer without a key unless started with one.
    pub(crate) fn key_optional(self) -> bool {
        preset(self.name).is_some_and(|p| !p.key_required)
    }

    /// The key a request carries, the way this host reads it.
    pub(crate) fn key<'r>(
        self,
        bearer: Option<&'r str>,
        api_key: Option<&'r str>,
    ) -> Option<&'r str> {
        match preset(self.name).map(|p| p.auth) {
            Some(Auth::Header(_)) => api_key,
            _ => bearer.and_then(|a| a.strip_prefix("Bearer ")),
        }
    }

    /// The models this host serves by default (plus the sim's extra ones).
    /// llama.cpp serves one model and answers whatever `model` says.
    pub(crate) fn default_models(self) -> &'static [&'static str] {
        match self.name {
            "openrouter" => &[
                "meta-llama/llama-3.3-70b-instruct",
                "meta-llama/llama-4-maverick",
            ],
            "togetherai" => &["meta-llama/Llama-3.3-70B-Instruct-Turbo"],
            "groq" => &["llama-3.3-70b-versatile", "llama-3.1-8b-instant"],
            "fireworks" => &["accounts/fireworks/models/llama-v3p3-70b-instruct"],
            "cerebras" => &["llama-3.3-70b"],
            "azure" => &["llama-3-3-70b"],
            "ollama" => &["llama3.3", "llama3.2:3b"],
            "vllm" => &["meta-llama/Llama-3.1-8B-Instruct"],
            "llamacpp" => &["tiny"],
            "lmstudio" => &["llama-3.2-3b-instruct"],
            "ogx" => &["meta-llama/Llama-3.3-70B-Instruct"],
            _ => &["gpt-oss-120b"],
        }
    }

    /// Whether a model id is answered.
    pub(crate) fn serves(self, model: &str, extra: &[String]) -> bool {
        self.name == "llamacpp"
            || self.default_models().contains(&model)
            || extra.iter().any(|m| m == model)
    }

    /// The 404 for a model this host does not serve, in its own words.
    pub(crate) fn model_not_found(self, model: &str) -> ResponseTemplate {
        let body = match self.name {
            "fireworks" => json!({"error": {
                "message": "Model not found, inaccessible, and/or not deployed",
                "code": "NOT_FOUND"}}),
            "openrouter" => json!({"error": {"code": 404,
                "message": format!("{model} is not a valid model ID"), "metadata": {}}}),
            "ollama" => json!({"error": {
                "message": format!("model \"{model}\" not found, try pulling it first"),
                "type": "api_error", "param": null, "code": null}}),
            _ => json!({"error": {
                "message": format!("The model `{model}` does not exist or you do not have access to it."),
                "type": "invalid_request_error", "param": null, "code": "model_not_found"}}),
        };
        ResponseTemplate::new(404).set_body_json(body)
    }

    /// A 401 in this host's shape (OpenAI's error object; llama.cpp's
    /// `authentication_error` with a numeric code).
    pub(crate) fn unauthorized(self) -> ResponseTemplate {
        let body = match self.name {
            "llamacpp" => json!({"error": {"message": "Invalid API Key",
                "type": "authentication_error", "code": 401}}),
            "openrouter" => json!({"error": {"code": 401, "message": "No auth credentials found"}}),
            _ => json!({"error": {"message": "Invalid API Key", "type": "invalid_request_error",
                "param": null, "code": "invalid_api_key"}}),
        };
        ResponseTemplate::new(401).set_body_json(body)
    }

    /// `GET /v1/models`, OpenAI style (llama.cpp adds Ollama's `models`).
    pub(crate) fn models(self, extra: &[String]) -> ResponseTemplate {
        let ids = self
            .default_models()
            .iter()
            .copied()
            .chain(extra.iter().map(String::as_str));
        let data: Vec<Value> = ids
            .map(|id| json!({"id": id, "object": "model", "created": super::render::CREATED, "owned_by": self.name}))
            .collect();
        let mut body = json!({"object": "list", "data": data});
        if self.name == "llamacpp" {
            body["models"] = body["data"].clone();
        }
        ResponseTemplate::new(200).set_body_json(body)
    }

    /// A non-streamed answer as this host shapes it.
    pub(crate) fn adapt_body(self, body: &mut Value) {
        if self.name != "llamacpp" {
            return;
        }
        // llama.cpp: `content: ""` next to tool calls, ids of 32 characters
        // without a `call_` prefix, `timings` and a fingerprint.
        let message = &mut body["choices"][0]["message"];
        if message.get("tool_calls").is_some() {
            message["content"] = Value::String(String::new());
        }
        if let Some(calls) = message.get_mut("tool_calls").and_then(Value::as_array_mut) {
            for call in calls {
                if let Some(id) = call.get("id").and_then(Value::as_str) {
                    call["id"] = Value::String(id.replace('-', ""));
                }
            }
        }
        body["system_fingerprint"] = Value::String("b1-0c1e570".into());
        body["timings"] = json!({"prompt_n": 1, "predicted_n": 1});
    }

    /// One streamed event's JSON as this host shapes it.
    pub(crate) fn adapt_event(self, event: &mut Value) {
        let usage_chunk = event
            .get("choices")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty);
        if self.name == "groq" && usage_chunk {
            // Groq reports stream usage inside `x_groq`.
            if let Some(usage) = event.get_mut("usage").map(Value::take) {
                event["x_groq"] = json!({"usage": usage});
            }
        }
        if self.name == "llamacpp" {
            // The real server opens with `{"role":"assistant","content":null}`
            // and puts `timings` next to the usage.
            if let Some(delta) = event.pointer_mut("/choices/0/delta")
                && delta.get("role").is_some()
            {
                delta["content"] = Value::Null;
            }
            if usage_chunk {
                event["timings"] = json!({"prompt_n": 1, "predicted_n": 1});
            }
            for call in event
                .pointer_mut("/choices/0/delta/tool_calls")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(id) = call.get("id").and_then(Value::as_str) {
                    call["id"] = Value::String(id.replace('-', ""));
                }
            }
        }
    }

    /// Whether streams carry a usage chunk: hosts that honour
    /// `stream_options.include_usage`, and Groq always (in `x_groq`).
    pub(crate) fn stream_usage(self, asked: bool) -> bool {
        asked || self.name == "groq"
    }

    /// Rate-limit headers in this host's dialect; local servers send none.
    pub(crate) fn rate_headers(
        self,
        template: ResponseTemplate,
        limit: u32,
        remaining: u64,
    ) -> ResponseTemplate {
        match self.name {
            "groq" => template
                .insert_header("x-ratelimit-limit-requests", limit.to_string())
                .insert_header("x-ratelimit-remaining-requests", remaining.to_string())
                .insert_header("x-ratelimit-reset-requests", "6m0s"),
            "togetherai" => template
                .insert_header("x-ratelimit-limit", limit.to_string())
                .insert_header("x-ratelimit-remaining", remaining.to_string())
                .insert_header("x-tokenlimit-limit", "1000000")
                .insert_header("x-tokenlimit-remaining", "999000"),
            "cerebras" => template
                .insert_header("x-ratelimit-limit-requests-day", limit.to_string())
                .insert_header("x-ratelimit-remaining-requests-day", remaining.to_string())
                .insert_header("x-ratelimit-reset-requests-day", "3600"),
            "ollama" | "vllm" | "llamacpp" | "lmstudio" | "ogx" => template,
            _ => template
                .insert_header("x-ratelimit-limit-requests", limit.to_string())
                .insert_header("x-ratelimit-remaining-requests", remaining.to_string()),
        }
    }
}

/// Rewrites the JSON of every `data:` line of an SSE body.
pub(crate) fn map_sse(body: &str, mut f: impl FnMut(&mut Value)) -> String {
    body.split_inclusive('\n')
        .map(|line| {
            let Some(data) = line.strip_prefix("data: ") else {
                return line.to_owned();
            };
            match serde_json::from_str::<Value>(data.trim_end()) {
                Ok(mut value) => {
                    f(&mut value);
                    format!("data: {value}\n")
                }
                Err(_) => line.to_owned(),
            }
        })
        .collect()
}
