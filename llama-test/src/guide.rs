//! # Guide: every feature of the Llama API provider, the llama-test way
//!
//! Each section shows an eval written with `#[llama_eval]` and the
//! equivalent hand-written code using the crate's building blocks
//! ([`Client`](crate::Client), [`ChatRequest`](crate::ChatRequest),
//! [`checks`](crate::checks)). The hand-written examples run against the
//! [simulated Llama API](crate::sim) (feature `sim`), so they are tested
//! with the docs; point a [`ClientConfig`](crate::ClientConfig) at
//! `https://api.llama.com` with a key for the real service.
//!
//! Paths in attributes are relative to the crate root (`CARGO_MANIFEST_DIR`).
//!
//! ## Setup
//!
//! Set `LLAMA_API_KEY` to record or run live; replaying committed fixtures
//! needs no key. `LLAMA_API_BASE_URL` (default `https://api.llama.com`)
//! points elsewhere; `LLAMA_TEST_MODE` picks `auto` | `replay` | `record` |
//! `live` (replay is the default when `CI` is set).
//!
//! ## Configuration: provider ids
//!
//! Model ids are accepted bare or with promptfoo's prefixes; the prefix is
//! never sent. `models = [...]` makes one test per model.
//!
//! ```no_run
//! use llama_test::prelude::*;
//!
//! #[llama_eval(
//!     models = [
//!         "llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8",
//!         "llamaapi:Llama-3.3-70B-Instruct",
//!         "llamaapi:chat:Llama-3.3-8B-Instruct",
//!     ],
//!     prompt = "Explain quantum computing in simple terms",
//!     assert(icontains = "quantum"),
//! )]
//! fn compares_models(out: Output) {}
//! # fn main() {}
//! ```
//!
//! Hand-written:
//!
//! ```
//! # use llama_test::sim::SimLlamaApi;
//! use llama_test::{ChatRequest, Client, Message, catalogue, checks::text};
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> llama_test::Result<()> {
//! # let sim = SimLlamaApi::start().await;
//! let client = Client::new(sim.client_config())?; // or Client::new(ClientConfig::from_env()?)
//! for id in ["llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8", "llamaapi:chat:Llama-3.3-8B-Instruct"] {
//!     assert!(catalogue::lookup(id).is_some());
//!     let request = ChatRequest::new(id).message(Message::user("Explain quantum computing in simple terms"));
//!     let answer = client.chat(&request).await?;
//!     text::icontains(&answer.text, "quantum").assert();
//! }
//! # Ok(()) }
//! ```
//!
//! An unknown model is a compile error with a did-you-mean; set
//! `allow_unlisted_model = true` for models the catalogue does not list yet.
//!
//! ## Provider options
//!
//! `temperature`, `max_tokens`, `top_p`, `top_k`, `repetition_penalty`,
//! `frequency_penalty`, `presence_penalty`, `stream`. On the native endpoint
//! `max_tokens` is sent as `max_completion_tokens`; the OpenAI penalties only
//! exist on the compat endpoint, so they need `endpoint = "compat"` (on the
//! native endpoint they are a compile error, never silently dropped).
//!
//! ```no_run
//! use llama_test::prelude::*;
//!
//! #[llama_eval(
//!     model = "llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8",
//!     endpoint = "compat",
//!     prompt = "Explain quantum computing in simple terms",
//!     temperature = 0.7,
//!     max_tokens = 1000,
//!     top_p = 0.9,
//!     frequency_penalty = 0,
//!     presence_penalty = 0,
//!     stream = false,
//! )]
//! fn provider_options(out: Output) {
//!     out.assert_contains("quantum");
//! }
//! # fn main() {}
//! ```
//!
//! Hand-written:
//!
//! ```
//! use llama_test::{ChatRequest, Endpoint, Message, wire};
//! let mut request = ChatRequest::new("llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8")
//!     .message(Message::user("Explain quantum computing in simple terms"));
//! request.sampling.temperature = Some(0.7);
//! request.sampling.max_tokens = Some(1000);
//! request.sampling.top_p = Some(0.9);
//! let native = wire::request_body(&request).unwrap();
//! assert_eq!(native["max_completion_tokens"], 1000);
//! assert!(native.get("max_tokens").is_none());
//!
//! request.sampling.frequency_penalty = Some(0.0);
//! assert!(wire::request_body(&request).is_err(), "penalties are compat-only");
//! request.endpoint = Endpoint::Compat;
//! assert_eq!(wire::request_body(&request).unwrap()["max_tokens"], 1000);
//! ```
//!
//! ## Text generation
//!
//! ```no_run
//! use llama_test::prelude::*;
//!
//! #[llama_eval(
//!     model = "llamaapi:Llama-3.3-70B-Instruct",
//!     prompt = "Explain quantum computing in simple terms",
//!     assert(contains = "quantum"),
//! )]
//! fn explains_quantum_computing(out: Output) {
//!     assert_output_snapshot!(out);
//! }
//! # fn main() {}
//! ```
//!
//! Hand-written:
//!
//! ```
//! # use llama_test::sim::SimLlamaApi;
//! use llama_test::{ChatRequest, Client, Message, checks::text};
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> llama_test::Result<()> {
//! # let sim = SimLlamaApi::start().await;
//! let client = Client::new(sim.client_config())?;
//! let request = ChatRequest::new("Llama-3.3-70B-Instruct")
//!     .message(Message::user("Explain quantum computing in simple terms"));
//! let answer = client.chat(&request).await?;
//! text::contains(&answer.text, "quantum").assert();
//! assert!(answer.usage.is_some(), "usage comes from the native `metrics` list");
//! # Ok(()) }
//! ```
//!
//! ## Multimodal (image + text)
//!
//! `image`/`images` take `https://` URLs (sent as is) or local files
//! (embedded at compile time, sent as base64 data URLs). JPEG, PNG, GIF and
//! ICO only, at most 25 MB each and 9 per request, and only to the Llama 4
//! FP8 models: anything else is a compile error, or an error before a
//! request is sent. Estimate image tokens with
//! [`images::estimate_image_tokens`](crate::images::estimate_image_tokens)
//! (~145 per 336×336 tile).
//!
//! ```no_run
//! use llama_test::prelude::*;
//!
//! #[llama_eval(
//!     model = "llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8",
//!     prompt = "What do you see in this image?",
//!     image = "https://example.com/image.jpg",
//!     assert(llm_rubric = "Accurately describes the image content"),
//! )]
//! fn describes_an_image(out: Output) {}
//! # fn main() {}
//! ```
//!
//! Hand-written:
//!
//! ```
//! # use llama_test::sim::SimLlamaApi;
//! use llama_test::{ChatRequest, Client, Message, images};
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> llama_test::Result<()> {
//! # let sim = SimLlamaApi::start().await;
//! let client = Client::new(sim.client_config())?;
//! let png = std::fs::read("tests/data/llama.png").unwrap();
//! let request = ChatRequest::new("Llama-4-Maverick-17B-128E-Instruct-FP8").message(
//!     Message::user("What do you see in this image?")
//!         .with_image_url(images::image_url_from_bytes(&png, "llama.png")?)
//!         .with_image_url("https://example.com/image.jpg"),
//! );
//! let answer = client.chat(&request).await?;
//! assert!(!answer.text.is_empty());
//!
//! // Text-only models refuse images before anything is sent.
//! let mut to_cerebras = request.clone();
//! to_cerebras.model = "Cerebras-Llama-4-Scout-17B-16E-Instruct".into();
//! assert!(client.chat(&to_cerebras).await.is_err());
//! assert_eq!(images::estimate_image_tokens(672, 336), 290);
//! # Ok(()) }
//! ```
//!
//! ## JSON structured output
//!
//! `json_schema = "file.json"` sends `response_format: {type: json_schema,
//! json_schema: {name: <file stem>, schema}}`. `assert(is_json)` (or
//! `is_json` with a schema) checks the answer; the seed's
//! `rating >= 1 && rating <= 5` is two lines in the body.
//!
//! ```no_run
//! use llama_test::prelude::*;
//!
//! #[llama_eval(
//!     model = "llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8",
//!     temperature = 0.1,
//!     json_schema = "tests/data/product_review.json",
//!     prompt = "Review this product: {{product_description}}",
//!     case(product_description = "Wireless headphones with great sound quality but short battery life"),
//!     assert(is_json),
//! )]
//! fn product_review(out: Output) {
//!     let rating = out.assert_is_json()["rating"].as_f64().unwrap_or(0.0);
//!     assert!((1.0..=5.0).contains(&rating), "rating {rating} is outside 1..=5");
//! }
//! # fn main() {}
//! ```
//!
//! Hand-written:
//!
//! ```
//! # use llama_test::sim::SimLlamaApi;
//! use llama_test::{ChatRequest, Client, JsonSchemaFormat, Message, checks::{json, schema::Schema}};
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> llama_test::Result<()> {
//! # let sim = SimLlamaApi::start().await;
//! let schema: serde_json::Value =
//!     serde_json::from_str(&std::fs::read_to_string("tests/data/product_review.json").unwrap()).unwrap();
//! let mut request = ChatRequest::new("Llama-4-Maverick-17B-128E-Instruct-FP8").message(Message::user(
//!     "Review this product: Wireless headphones with great sound quality but short battery life",
//! ));
//! request.sampling.temperature = Some(0.1);
//! request.response_format = Some(JsonSchemaFormat { name: "product_review".into(), schema: schema.clone() });
//! let answer = Client::new(sim.client_config())?.chat(&request).await?;
//!
//! let compiled = Schema::compile(&schema).expect("a valid schema");
//! json::is_json(&answer.text, Some(&compiled)).assert();
//! let review: serde_json::Value = serde_json::from_str(&answer.text).unwrap();
//! let rating = review["rating"].as_f64().unwrap();
//! assert!((1.0..=5.0).contains(&rating));
//! # Ok(()) }
//! ```
//!
//! ## Tool calling
//!
//! `tools = "file.json"` (Llama/OpenAI function format), `tool_choice`.
//! `assert(function_call = "get_weather")` checks the call exists and its
//! arguments are valid JSON and valid against the tool's schema. Tool calls
//! are detected by their presence, not by `stop_reason` (the native API
//! reports `stop` on tool-call answers). Multi-turn use goes through
//! [`Output::follow_up`](crate::Output::follow_up).
//!
//! ```no_run
//! use llama_test::prelude::*;
//!
//! #[llama_eval(
//!     model = "llamaapi:Llama-3.3-70B-Instruct",
//!     tools = "tests/data/get_weather.json",
//!     prompt = "What's the weather like in {{city}}?",
//!     case(name = "nyc", city = "New York, NY"),
//!     assert(function_call = "get_weather"),
//! )]
//! async fn get_weather(out: Output) {
//!     let call = out.assert_function_call("get_weather");
//!     let location = call.arguments["location"].as_str().unwrap_or_default();
//!     assert!(location.contains("New York"));
//!
//!     let answer = out.follow_up().tool_result(&call.id, r#"{"temperature": 21}"#).run().await;
//!     answer.assert_contains("21");
//! }
//! # fn main() {}
//! ```
//!
//! Hand-written:
//!
//! ```
//! # use llama_test::sim::SimLlamaApi;
//! use llama_test::{ChatRequest, Client, Message, Tool, checks::tools};
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> llama_test::Result<()> {
//! # let sim = SimLlamaApi::start().await;
//! let client = Client::new(sim.client_config())?;
//! let definitions: serde_json::Value =
//!     serde_json::from_str(&std::fs::read_to_string("tests/data/get_weather.json").unwrap()).unwrap();
//! let mut request = ChatRequest::new("Llama-3.3-70B-Instruct")
//!     .message(Message::user("What's the weather like in New York, NY?"));
//! request.tools = Tool::list_from_json(&definitions, "get_weather.json")?;
//! let answer = client.chat(&request).await?;
//!
//! tools::function_call(&answer, &request.tools, &tools::CallExpectation::named("get_weather")).assert();
//! let call = tools::find_call(&answer, "get_weather").unwrap();
//! assert!(call.arguments["location"].as_str().unwrap().contains("New York"));
//!
//! // Second turn: the tool's result goes back with the assistant's call.
//! let mut follow_up = request.clone();
//! follow_up.messages.push(Message::assistant_tool_calls(answer.text.clone(), answer.tool_calls.clone()));
//! follow_up.messages.push(Message::tool(call.id.clone(), r#"{"temperature": 21}"#));
//! let final_answer = client.chat(&follow_up).await?;
//! assert!(final_answer.tool_calls.is_empty());
//! # Ok(()) }
//! ```
//!
//! ## Streaming
//!
//! `stream = true` streams over SSE (`Accept: text/event-stream`); the
//! output is the assembled answer plus
//! [`time_to_first_token`](crate::Output::time_to_first_token). A stream
//! that breaks off is an error, never a short answer. Recordings keep every
//! event.
//!
//! ```no_run
//! use llama_test::prelude::*;
//!
//! #[llama_eval(
//!     model = "llamaapi:Llama-3.3-8B-Instruct",
//!     stream = true,
//!     temperature = 0.7,
//!     prompt = "Write a short story about {{topic}}",
//!     case(topic = "time travel"),
//!     assert(contains = "time"),
//! )]
//! fn short_story(out: Output) {
//!     assert!(out.time_to_first_token().is_some());
//! }
//! # fn main() {}
//! ```
//!
//! Hand-written:
//!
//! ```
//! # use llama_test::sim::SimLlamaApi;
//! use llama_test::{ChatRequest, Client, Message, checks::text};
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> llama_test::Result<()> {
//! # let sim = SimLlamaApi::start().await;
//! let mut request = ChatRequest::new("Llama-3.3-8B-Instruct")
//!     .message(Message::user("Write a short story about time travel"));
//! request.stream = true;
//! request.sampling.temperature = Some(0.7);
//! let answer = Client::new(sim.client_config())?.chat(&request).await?;
//! assert!(answer.streamed && answer.time_to_first_token.is_some());
//! text::contains(&answer.text, "time").assert();
//! # Ok(()) }
//! ```
//!
//! ## Rate limits, quotas and errors
//!
//! All requests of a process share one limiter per model family (standard
//! 3,000 RPM / 1M TPM; Cerebras and Groq per the catalogue) or provider, a
//! sliding one-minute window slowed down by `x-ratelimit-remaining-*` and
//! 429 `retry-after`, and lowered when 429s keep coming; under nextest the
//! test processes of a machine share it. A 429 is waited out (the server's
//! delay, or backoff capped at 60 s) until the request's rate-limit wait
//! budget is spent (`ClientConfig::rate_limit_wait`, 10 minutes,
//! `LLAMA_TEST_RATE_LIMIT_WAIT`). Connection errors, timeouts, 408, 409 and
//! 5xx are retried with exponential backoff and jitter (`max_retries`,
//! default 2). Errors are typed
//! ([`Error`](crate::Error)): 401 names `LLAMA_API_KEY`, an unknown model
//! suggests the closest id, and no error ever contains the key.
//!
//! ```
//! # use llama_test::sim::SimLlamaApi;
//! use llama_test::{ChatRequest, Client, Error, Message};
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> llama_test::Result<()> {
//! # let sim = SimLlamaApi::start().await;
//! let client = Client::new(sim.client_config())?;
//! let request = ChatRequest::new("Llama-3.3-8B-Instruct").message(Message::user("hi"));
//! sim.fail_next(2, 503); // two failures, then success: retried transparently
//! let answer = client.chat(&request).await?;
//! assert!(answer.rate_limit.remaining_requests.is_some());
//!
//! let mut wrong_key = sim.client_config();
//! wrong_key.api_key = Some("not-the-key".into());
//! let err = Client::new(wrong_key)?.chat(&request).await.unwrap_err();
//! assert!(matches!(err, Error::Auth { status: 401, .. }));
//! assert!(!format!("{err} {err:?}").contains("not-the-key"));
//! # Ok(()) }
//! ```
//!
//! ## Record, replay and snapshots
//!
//! Each test has one fixture file (`fixtures/<module>__<test>[__case][__model].json`)
//! with all its calls: subject, grader and follow-ups, in order. Replay
//! serves them over loopback HTTP; a request that was not recorded fails with
//! the nearest recorded request, a field-level diff and the command that
//! re-records that one test. `assert_output_snapshot!(out)` keeps an insta
//! snapshot named after the test, without ids, latency or token counts.
//!
//! ## Testing your own code
//!
//! Enable the `sim` feature to run [`sim::SimLlamaApi`](crate::sim::SimLlamaApi)
//! in your own tests: native and compat endpoints, streaming, tool calls,
//! scripted replies and faults (5xx bursts, 429 with `retry-after`, latency,
//! cut streams). To record evals without a key, run it as a server with
//! `cargo run -p llama-test --features sim --bin llama-test-sim` (or
//! `cargo install llama-test --features sim`), export the two variables it
//! prints, and run `LLAMA_TEST_MODE=record cargo test`.
