//! The one wiremock responder behind every simulated endpoint: routing,
//! the key check, scripted faults and the requests-per-minute window, then
//! the request checks (`validate`) and the answer in the endpoint's format,
//! with `x-ratelimit-*` headers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::{Request, Respond, ResponseTemplate};

use super::answer::default_reply;
use super::dialect::{Dialect, map_sse};
use super::faults::{error_object, fault_response, problem, seconds_text, with_echo};
use super::render::{CREATED, Completed};
use super::reply::{ChatCall, Reply, ReplyKind};
use super::state::{ReceivedRequest, Shared};
use super::stream::{Breakage, sse_body};
use super::validate::validate;
use crate::catalogue::MODELS;
use crate::request::Endpoint;

/// Limits reported for models the catalogue does not list.
const DEFAULT_RPM: u32 = 3_000;
const DEFAULT_TPM: u32 = 1_000_000;

enum Route {
    Chat(Endpoint),
    Models(Endpoint),
    Model(String),
    /// An OpenAI-compatible host under `/<provider>/...`.
    ProviderChat(Dialect),
    ProviderModels(Dialect),
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
        if let Some((dialect, rest)) = Dialect::of(path) {
            return match (rest, method) {
                ("/v1/chat/completions", "POST") => Ok(Route::ProviderChat(dialect)),
                ("/v1/models", "GET") => Ok(Route::ProviderModels(dialect)),
                ("/v1/chat/completions", _) => Err(NoRoute::WrongMethod("POST")),
                ("/v1/models", _) => Err(NoRoute::WrongMethod("GET")),
                _ => Err(NoRoute::Unknown),
            };
        }
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
pub(crate) struct Ctx {
    /// The `Authorization` value to echo into error bodies (opt-in only).
    pub echo: Option<String>,
}

impl Ctx {
    pub(crate) fn problem(&self, status: u16, detail: String) -> ResponseTemplate {
        problem(status, &with_echo(detail, self.echo.as_deref()))
    }

    /// A 400 in the endpoint's own error shape.
    pub(crate) fn bad_request(
        &self,
        endpoint: Endpoint,
        detail: String,
        code: &str,
    ) -> ResponseTemplate {
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
        if let Some(converse) = super::converse::route(self, request) {
            return converse;
        }
        let now = Instant::now();
        let path = request.url.path().to_owned();
        let auth = header(request, "authorization");
        let dialect = Dialect::of(&path).map(|(d, _)| d);
        let authorized = match dialect {
            Some(d) => self.accepts_key(d.key(auth, header(request, "api-key")), d.key_optional()),
            None => self.accepts(auth),
        };
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
            if let Some(d) = dialect {
                return d.unauthorized();
            }
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
            Route::ProviderModels(dialect) => dialect.models(&self.shared.settings.extra_models),
            Route::Chat(_) | Route::ProviderChat(_) => {
                let (endpoint, dialect) = match route {
                    Route::ProviderChat(d) => (Endpoint::Compat, Some(d)),
                    Route::Chat(e) => (e, None),
                    _ => (Endpoint::Compat, None),
                };
                let rpm = live.script.knobs.rpm;
                if let Err(wait) = live.window.admit(now, rpm) {
                    // Whole seconds, rounded up, so waiting this long frees a slot.
                    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                    let wait = live
                        .script
                        .knobs
                        .window_retry_after
                        .unwrap_or(Duration::from_secs(secs.max(1)));
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
                self.chat(endpoint, dialect, request, now, &ctx)
            }
        }
    }

    fn accepts(&self, auth: Option<&str>) -> bool {
        self.accepts_key(auth.and_then(|a| a.strip_prefix("Bearer ")), false)
    }

    /// A key matches the simulator's; a local server also takes no key.
    fn accepts_key(&self, token: Option<&str>, optional: bool) -> bool {
        let Some(token) = token else {
            return optional;
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
        dialect: Option<Dialect>,
        request: &Request,
        now: Instant,
        ctx: &Ctx,
    ) -> ResponseTemplate {
        let call = match validate(&self.shared.settings, endpoint, dialect, request, ctx) {
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
            let asked =
                call.body.pointer("/stream_options/include_usage") == Some(&Value::Bool(true));
            let include_usage = dialect.map_or(asked, |d| d.stream_usage(asked));
            let mut sse = sse_body(&completed, include_usage, breakage);
            if let Some(d) = dialect {
                sse = map_sse(&sse, |event| d.adapt_event(event));
            }
            ResponseTemplate::new(200)
                .set_body_raw(sse, "text/event-stream")
                .insert_header("cache-control", "no-cache")
        } else {
            let mut body = completed.body();
            if let Some(d) = dialect {
                d.adapt_body(&mut body);
            }
            ResponseTemplate::new(200).set_body_json(body)
        };
        self.with_rate_headers(
            template,
            dialect,
            &call.model,
            completed.total_tokens(),
            now,
        )
    }

    /// Queued reply, else the responder's, else the fixed one, else the
    /// deterministic default. The responder runs without the lock held so
    /// it may call back into the simulator.
    pub(super) fn pick_reply(&self, call: &ChatCall) -> Reply {
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
        dialect: Option<Dialect>,
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
        if let Some(d) = dialect {
            let remaining = u64::from(rpm).saturating_sub(used_requests);
            return d.rate_headers(template, rpm, remaining);
        }
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

pub(crate) fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}
