//! Errors, each a clear `llama-test ERROR` naming what to fix: 401 for a
//! wrong key, 400 `exceed_context_size_error` (the prompt's token count and
//! the context size), 500 for a malformed body, connection refused when the
//! server is down (the base URL and its variable).
//!
//! These need a live server (the probes are `record = "live"`): without a
//! built llama-server they print a skip line, and fail instead under
//! `LLAMA_TEST_REAL_REQUIRE_SERVER=1`.

use llama_test_real::{Paths, Server};

use crate::support::child::{Child, is_child};
use crate::support::{BASE_URL_ENV, KEY_ENV, live_probe, live_server};

#[test]
fn wrong_key_is_401() {
    if is_child() {
        return;
    }
    let Some(server) = live_server("errors::wrong_key_is_401") else {
        return;
    };
    let wrong = "llt-this-is-not-the-key-0000";
    let failure = live_probe("probes::says_hi", server.base_url(), wrong);
    assert!(failure.contains("llama-test ERROR"), "{failure}");
    assert!(failure.contains("401"), "{failure}");
    assert!(failure.contains("Invalid API Key"), "{failure}");
    assert!(failure.contains(KEY_ENV), "names the variable: {failure}");
    assert!(!failure.contains(wrong), "never prints the key: {failure}");
}

fn assert_exceeds_context(failure: &str) {
    assert!(failure.contains("llama-test ERROR"), "{failure}");
    assert!(failure.contains("400"), "{failure}");
    let pattern = regex::Regex::new(
        r"request \((\d+) tokens\) exceeds the available context size \((\d+) tokens\)",
    )
    .unwrap();
    let found = pattern
        .captures(failure)
        .unwrap_or_else(|| panic!("names the token counts: {failure}"));
    let prompt: u32 = found[1].parse().unwrap();
    let context: u32 = found[2].parse().unwrap();
    assert_eq!(context, llama_test_real::server::SLOT_CONTEXT);
    assert!(prompt > context, "{prompt} > {context}");
}

#[test]
fn prompt_over_the_context_is_400() {
    if is_child() {
        return;
    }
    let Some(server) = live_server("errors::prompt_over_the_context_is_400") else {
        return;
    };
    assert_exceeds_context(&live_probe(
        "probes::too_long",
        server.base_url(),
        server.key(),
    ));
}

/// Also with `stream: true`: llama.cpp answers the 400 before any SSE.
#[test]
fn streamed_prompt_over_the_context_is_400() {
    if is_child() {
        return;
    }
    let Some(server) = live_server("errors::streamed_prompt_over_the_context_is_400") else {
        return;
    };
    assert_exceeds_context(&live_probe(
        "probes::too_long_streamed",
        server.base_url(),
        server.key(),
    ));
}

/// `extra_body` can send what llama.cpp cannot parse (`tools` as a string):
/// its 500 `server_error` comes back with its message.
#[test]
fn malformed_body_is_500() {
    if is_child() {
        return;
    }
    let Some(server) = live_server("errors::malformed_body_is_500") else {
        return;
    };
    let failure = live_probe("probes::malformed_body", server.base_url(), server.key());
    assert!(failure.contains("llama-test ERROR"), "{failure}");
    assert!(failure.contains("500"), "{failure}");
    assert!(
        failure.contains("Failed to parse tools"),
        "llama.cpp's message: {failure}"
    );
}

/// A server that answered a moment ago and is now stopped: connection
/// refused, naming the URL and the variable that set it. Without a built
/// server, a port nothing listens on stands in for it.
#[test]
fn server_down_names_the_base_url() {
    if is_child() {
        return;
    }
    let test = "errors::server_down_names_the_base_url";
    let (url, key) = match Paths::find() {
        // Its own server: the shared one must stay up for the others.
        Ok(paths) => {
            let mut server = Server::start(&paths).expect("start llama-server");
            let (url, key) = (server.base_url().to_owned(), server.key().to_owned());
            Child::probe("probes::says_hi")
                .env(BASE_URL_ENV, &url)
                .env(KEY_ENV, &key)
                .run()
                .assert_all_passed();
            server.stop();
            (url, key)
        }
        Err(e) if llama_test_real::require_server() => panic!("{test}: {e}"),
        Err(e) => {
            crate::support::notice(&format!(
                "{test}: no llama-server ({e}); using a port nothing listens on"
            ));
            let port = llama_test_real::server::closed_port().unwrap();
            (
                format!("http://127.0.0.1:{port}"),
                "llt-no-server-key".into(),
            )
        }
    };
    let failure = live_probe("probes::says_hi", &url, &key);
    assert!(failure.contains("llama-test ERROR"), "{failure}");
    assert!(failure.contains(&url), "names the URL: {failure}");
    assert!(
        failure.contains(BASE_URL_ENV),
        "names the variable: {failure}"
    );
    assert!(
        failure.to_lowercase().contains("refused"),
        "says why: {failure}"
    );
}
