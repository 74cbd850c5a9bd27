//! llama.cpp's `llama-server` for llama-test's real-server suite (issue 11):
//! where the binary and the tiny model are, and a [`Server`] that starts on
//! a free loopback port with a random key, waits for `GET /health`, and
//! never outlives the process that started it.
//!
//! The binary and the model are built by `scripts/llama-server.sh` (from
//! the repository root); `LLAMA_SERVER_BIN` and `LLAMA_TINY_MODEL` point at
//! other copies.

pub mod server;

pub use server::{Paths, Server, require_server};
