//! Use `llama-test`.
