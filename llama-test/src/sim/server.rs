//! The one wiremock responder behind every simulated endpoint: routing,
//! the checks the real API makes (key, content type, model, `Accept` for
//! streams) in the order it makes them, scripted faults, rate limits, and
//! finally the answer in the endpoint's format.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::{Request, Respond, ResponseTemplate};

use super::answer::{ToolChoice, count_images, default_reply, tools};
use super::faults::{error_object, fault_response, problem, seconds_text, with_echo};
use super::render::{CREATED, Completed};
use super::reply::{ChatCall, Reply, ReplyKind};
use super::state::{ReceivedRequest, Shared};
use super::stream::{Breakage, sse_body};
use crate::catalogue::MODELS;
use crate::request::Endpoint;

/// Limits reported for models the catalogue does not list.
const DEFAULT_RPM: u32 = 3_000;
const DEFAULT_TPM: u32 = 1_000_000;

/// Native fields that belong to the OpenAI format only, with the fix.
const COMPAT_ONLY_FIELDS: &[(&str, &str)] = &[
    (
        "max_tokens",
        "the native endpoint takes 'max_completion_tokens'",
    ),
    (
        "frequency_penalty",
        "it is only accepted by the compat endpoint /compat/v1/chat/completions",
    ),
    (
        "presence_penalty",
        "it is only accepted by the compat endpoint /compat/v1/chat/completions",
    ),
];

enum Route {
    Chat(Endpoint),
    Models(Endpoint),
    Model(String),
}

/// Why a request matches no route.
enum NoRoute {
    Unknown,
    /// The path exists for this other method.
    WrongMethod(&'static str),
}

impl Route {
    fn of(method: &str, path: &str) -> Result<Route, NoRoute> {
        let path = path.trim_end_matches('/');
        let (endpoint, rest) = match path.strip_prefix("/compat") {
            Some(rest) => (Endpoint::Compat, rest),
            None => (Endpoint::Native, path),
        };
        let expect = |wanted: &'static str, route: Route| {
            if method == wanted {
                Ok(route)
            } else {
                Err(NoRoute::WrongMethod(wanted))
            }
        };
        match rest {
            "/v1/chat/completions" => expect("POST", Route::Chat(endpoint)),
            "/v1/models" => expect("GET", Route::Models(endpoint)),
            _ => match rest.strip_prefix("/v1/models/") {
                Some(id) if !id.is_empty() => expect("GET", Route::Model(id.to_owned())),
                _ => Err(NoRoute::Unknown),
            },
        }
    }
}

/// Answers every request to the simulator's `MockServer`.
pub(crate) struct SimResponder {
    pub shared: Arc<Shared>,
}

/// Per-request facts the error helpers need.
struct Ctx {
    /// The `Authorization` value to echo into error bodies (opt-in only).
    echo: Option<String>,
}

impl Ctx {
    fn problem(&self, status: u16, detail: String) -> ResponseTemplate {
        problem(status, &with_echo(detail, self.echo.as_deref()))
    }

    /// A 400 in the endpoint's own error shape.
    fn bad_request(&self, endpoint: Endpoint, detail: String, code: &str) -> ResponseTemplate {
        match endpoint {
            Endpoint::Native => self.problem(400, detail),
            Endpoint::Compat => error_object(400, &with_echo(detail, self.echo.as_deref()), code),
        }
    }
}

impl Respond for SimResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let template = self.handle(request);
        match self.shared.live().script.knobs.latency {
            Some(delay) if !delay.is_zero() => template.set_delay(delay),
            _ => template,
        }
    }
}

impl SimResponder {
    fn handle(&self, request: &Request) -> ResponseTemplate {
        let now = Instant::now();
        let path = request.url.path().to_owned();
        let auth = header(request, "authorization");
        let authorized = self.accepts(auth);
        let mut live = self.shared.live();
        live.log.push(ReceivedRequest::new(request, authorized));
        let ctx = Ctx {
            echo: live
                .script
                .knobs
                .echo_auth
                .then(|| auth.unwrap_or("<none>").to_owned()),
        };
        let route = match Route::of(request.method.as_str(), &path) {
            Ok(route) => route,
            Err(NoRoute::Unknown) => {
                return ctx.problem(404, format!("Path '{path}' was not found"));
            }
            Err(NoRoute::WrongMethod(allowed)) => {
                return ctx
                    .problem(405, format!("Path '{path}' only accepts {allowed}"))
                    .insert_header("allow", allowed);
            }
        };
        if !authorized {
            let detail = match auth {
                None => "Missing API key: send 'Authorization: Bearer <key>'",
                Some(_) => "Invalid API key",
            };
            return ctx.problem(401, detail.to_owned());
        }
        if let Some(fault) = live.script.faults.pop_front() {
            return fault_response(&fault, ctx.echo.as_deref());
        }
        match route {
            Route::Models(endpoint) => self.models(endpoint),
            Route::Model(id) => match self.model_entry(&id) {
                Some(entry) => ResponseTemplate::new(200).set_body_json(entry),
                None => ctx.problem(404, format!("Model '{id}' not found")),
            },
            Route::Chat(endpoint) => {
                let rpm = live.script.knobs.rpm;
                if let Err(wait) = live.window.admit(now, rpm) {
                    // Whole seconds, rounded up, so waiting this long frees a slot.
                    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                    let wait = Duration::from_secs(secs.max(1));
                    let limit = rpm.unwrap_or(DEFAULT_RPM);
                    return ctx
                        .problem(
                            429,
                            format!("Rate limit of {limit} requests per minute exceeded"),
                        )
                        .insert_header("retry-after", seconds_text(wait))
                        .insert_header("x-ratelimit-limit-requests", limit.to_string())
                        .insert_header("x-ratelimit-remaining-requests", "0");
                }
                drop(live);
                self.chat(endpoint, request, now, &ctx)
            }
        }
    }

    fn accepts(&self, auth: Option<&str>) -> bool {
        let Some(token) = auth.and_then(|a| a.strip_prefix("Bearer ")) else {
            return false;
        };
        match &self.shared.settings.api_key {
            Some(key) => token == key,
            None => !token.trim().is_empty(),
        }
    }

    fn served_ids(&self) -> impl Iterator<Item = &str> {
        MODELS
            .iter()
            .map(|m| m.id)
            .chain(self.shared.settings.extra_models.iter().map(String::as_str))
    }

    fn model_entry(&self, id: &str) -> Option<Value> {
        self.served_ids()
            .find(|known| *known == id)
            .map(|id| json!({"id": id, "created": CREATED, "object": "model", "owned_by": "Meta"}))
    }

    fn models(&self, endpoint: Endpoint) -> ResponseTemplate {
        let data: Vec<Value> = self
            .served_ids()
            .filter_map(|id| self.model_entry(id))
            .collect();
        let body = match endpoint {
            Endpoint::Native => json!({"data": data}),
            Endpoint::Compat => json!({"object": "list", "data": data}),
        };
        ResponseTemplate::new(200).set_body_json(body)
    }

    fn chat(
        &self,
        endpoint: Endpoint,
        request: &Request,
        now: Instant,
        ctx: &Ctx,
    ) -> ResponseTemplate {
        let call = match self.validate(endpoint, request, ctx) {
            Ok(call) => call,
            Err(rejection) => return rejection,
        };
        let reply = self.pick_reply(&call);
        let (text, calls) = match reply.kind {
            ReplyKind::Fault(fault) => return fault_response(&fault, ctx.echo.as_deref()),
            ReplyKind::Text(text) => (text, Vec::new()),
            ReplyKind::ToolCalls(calls) => (String::new(), calls),
        };
        let mut seed = request.url.path().as_bytes().to_vec();
        seed.extend_from_slice(&request.body);
        let completed = Completed::new(&call, &seed, text, calls, reply.stop_reason);
        let template = if call.stream {
            let knobs = self.shared.live().script.knobs.clone();
            let breakage = Breakage {
                cut_after: knobs.cut_streams_after,
                error_after: knobs.error_mid_stream_after,
            };
            let include_usage =
                call.body.pointer("/stream_options/include_usage") == Some(&Value::Bool(true));
            ResponseTemplate::new(200)
                .set_body_raw(
                    sse_body(&completed, include_usage, breakage),
                    "text/event-stream",
                )
                .insert_header("cache-control", "no-cache")
        } else {
            ResponseTemplate::new(200).set_body_json(completed.body())
        };
        self.with_rate_headers(template, &call.model, completed.total_tokens(), now)
    }

    /// The checks the real API makes before generating, in its order.
    #[allow(
        clippy::result_large_err,
        reason = "one rejection per request; boxing it buys nothing"
    )]
    fn validate(
        &self,
        endpoint: Endpoint,
        request: &Request,
        ctx: &Ctx,
    ) -> Result<ChatCall, ResponseTemplate> {
        let content_type = header(request, "content-type").unwrap_or("");
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case("application/json") {
            let detail = if media_type.is_empty() {
                "Missing Content-Type; send 'Content-Type: application/json'".to_owned()
            } else {
                format!(
                    "Unsupported Content-Type '{media_type}'; send 'Content-Type: application/json'"
                )
            };
            return Err(ctx.bad_request(endpoint, detail, "unsupported_content_type"));
        }
        let body: Value = serde_json::from_slice(&request.body).map_err(|e| {
            ctx.bad_request(
                endpoint,
                format!("Request body is not valid JSON: {e}"),
                "invalid_json",
            )
        })?;
        let invalid = |detail: String| ctx.bad_request(endpoint, detail, "invalid_request");
        let Some(model) = body.get("model").and_then(Value::as_str) else {
            return Err(invalid(
                "'model' is required and must be a string".to_owned(),
            ));
        };
        let messages = body.get("messages").and_then(Value::as_array);
        if messages.is_none_or(Vec::is_empty) {
            return Err(invalid(
                "'messages' is required and must be a non-empty array".to_owned(),
            ));
        }
        if endpoint == Endpoint::Native
            && let Some((field, fix)) = COMPAT_ONLY_FIELDS
                .iter()
                .find(|(field, _)| body.get(*field).is_some())
        {
            return Err(invalid(format!("Unknown field '{field}': {fix}")));
        }
        if let ToolChoice::Named(name) = ToolChoice::of(&body)
            && !tools(&body).iter().any(|(tool, _)| *tool == name)
        {
            return Err(invalid(format!(
                "'tool_choice' names function '{name}', but no tool in 'tools' has that name"
            )));
        }
        let Some(accepts_images) = self.accepts_images(model) else {
            return Err(ctx.problem(404, format!("Model '{model}' not found")));
        };
        let images: usize = messages.into_iter().flatten().map(count_images).sum();
        if images > 0 && !accepts_images {
            return Err(invalid(format!(
                "Model '{model}' does not support image inputs"
            )));
        }
        let stream = body.get("stream").and_then(Value::as_bool) == Some(true);
        let accepts_sse = request.headers.get_all("accept").iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.to_ascii_lowercase().contains("text/event-stream"))
        });
        if stream && !accepts_sse {
            return Err(invalid(
                "Streaming requests must send 'Accept: text/event-stream'".to_owned(),
            ));
        }
        Ok(ChatCall {
            endpoint,
            model: model.to_owned(),
            stream,
            body,
        })
    }

    /// `Some(accepts images)` for a served model, `None` for an unknown one.
    fn accepts_images(&self, model: &str) -> Option<bool> {
        if let Some(info) = MODELS.iter().find(|m| m.id == model) {
            return Some(info.accepts_images);
        }
        self.shared
            .settings
            .extra_models
            .iter()
            .any(|m| m == model)
            .then_some(true)
    }

    /// Queued reply, else the responder's, else the fixed one, else the
    /// deterministic default. The responder runs without the lock held so
    /// it may call back into the simulator.
    fn pick_reply(&self, call: &ChatCall) -> Reply {
        let (responder, fixed) = {
            let mut live = self.shared.live();
            if let Some(next) = live.script.next_replies.pop_front() {
                return next;
            }
            (
                live.script.responder.clone(),
                live.script.fixed_reply.clone(),
            )
        };
        responder
            .and_then(|r| r.reply(call))
            .or(fixed)
            .unwrap_or_else(|| default_reply(call))
    }

    fn with_rate_headers(
        &self,
        template: ResponseTemplate,
        model: &str,
        tokens: u64,
        now: Instant,
    ) -> ResponseTemplate {
        let info = MODELS.iter().find(|m| m.id == model);
        let mut live = self.shared.live();
        let rpm = live
            .script
            .knobs
            .rpm
            .or(info.map(|m| m.requests_per_minute))
            .unwrap_or(DEFAULT_RPM);
        let tpm = info.map_or(DEFAULT_TPM, |m| m.tokens_per_minute);
        live.window.spend_tokens(now, tokens);
        let used_requests = live.window.requests(now);
        let used_tokens = live.window.tokens(now);
        template
            .insert_header("x-ratelimit-limit-requests", rpm.to_string())
            .insert_header(
                "x-ratelimit-remaining-requests",
                u64::from(rpm).saturating_sub(used_requests).to_string(),
            )
            .insert_header("x-ratelimit-limit-tokens", tpm.to_string())
            .insert_header(
                "x-ratelimit-remaining-tokens",
                u64::from(tpm).saturating_sub(used_tokens).to_string(),
            )
    }
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}
