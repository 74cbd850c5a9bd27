//! The simulated Llama API checked against the wire spec
//! (`reference/llama-api-wire.md`) with raw HTTP, so the checks do not
//! depend on this crate's own client, and against Meta's own Python SDK
//! (`sdk_conformance`).

#[path = "sim/support.rs"]
mod support;

#[path = "python_support/mod.rs"]
mod python_support;

#[path = "sim/chat.rs"]
mod chat;
#[path = "sim/errors.rs"]
mod errors;
#[path = "sim/faults.rs"]
mod faults;
#[path = "sim/scripting.rs"]
mod scripting;
#[path = "sim/sdk_conformance.rs"]
mod sdk_conformance;
#[path = "sim/streaming.rs"]
mod streaming;
