//! The HTTP client against loopback servers: a wiremock mock for exact
//! headers and failures, and the simulated Llama API for whole exchanges.

mod support;

mod chat;
mod images;
mod limits;
mod providers;
mod retries;
mod secrets;
mod sim;
