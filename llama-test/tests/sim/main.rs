//! The simulated Llama API checked against the wire spec
//! (`reference/llama-api-wire.md`) with raw HTTP, so the checks do not
//! depend on this crate's own client, and against Meta's own Python SDK
//! (`sdk_conformance`).

mod support;

mod python_support;

mod chat;
mod errors;
mod faults;
mod scripting;
mod sdk_conformance;
mod streaming;
