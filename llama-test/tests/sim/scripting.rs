//! Scripted answers, introspection and reset.

use llama_test::sim::{ChatCall, Fault, Reply, SimLlamaApi};
use serde_json::Value;

use crate::support::*;

fn native_text(body: &Value) -> &str {
    body["completion_message"]["content"]["text"]
        .as_str()
        .unwrap()
}

#[tokio::test]
async fn queued_replies_go_first_then_the_fixed_reply() {
    let sim = SimLlamaApi::start().await;
    sim.reply_with(Reply::text("always"))
        .reply_next(Reply::text("first"))
        .reply_next(Reply::text("second"));
    let mut texts = Vec::new();
    for _ in 0..3 {
        let (_, body) = post_json(&sim, NATIVE, &ask("hi")).await;
        texts.push(native_text(&body).to_owned());
    }
    assert_eq!(texts, ["first", "second", "always"]);
}

#[tokio::test]
async fn a_responder_closure_answers_per_request() {
    let sim = SimLlamaApi::start().await;
    sim.respond_with(|call: &ChatCall| {
        call.last_user_text()
            .contains("shout")
            .then(|| Reply::text(call.last_user_text().to_uppercase()))
    });
    let (_, loud) = post_json(&sim, NATIVE, &ask("please shout")).await;
    assert_eq!(native_text(&loud), "PLEASE SHOUT");
    let (_, normal) = post_json(&sim, NATIVE, &ask("whisper")).await;
    assert!(native_text(&normal).contains("whisper"));
}

#[tokio::test]
async fn scripted_tool_calls_faults_and_stop_reasons() {
    let sim = SimLlamaApi::start().await;
    sim.reply_next(Reply::tool_call_raw("get_weather", "{not json"))
        .reply_next(Reply::text("Once upon").with_stop_reason("length"))
        .reply_next(Reply::fault(Fault::status(422)));
    let (_, raw) = post_json(&sim, COMPAT, &ask("hi")).await;
    let call = &raw["choices"][0]["message"]["tool_calls"][0]["function"];
    assert_eq!(call["arguments"], "{not json");
    let (_, cut) = post_json(&sim, NATIVE, &ask("hi")).await;
    assert_eq!(cut["completion_message"]["stop_reason"], "length");
    let (status, _) = post_json(&sim, NATIVE, &ask("hi")).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn received_requests_keep_bodies_and_hide_the_key() {
    let sim = SimLlamaApi::start().await;
    post(&sim, NATIVE, &ask("first")).await;
    post(&sim, COMPAT, &ask("second")).await;
    assert_eq!(sim.request_count(), 2);
    assert_eq!(sim.request_count_for(COMPAT), 1);
    let requests = sim.received_requests();
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, NATIVE);
    assert!(requests[0].authorized);
    assert_eq!(requests[0].header("Authorization"), Some("[REDACTED]"));
    assert_eq!(
        requests[1].body_json().unwrap()["messages"][0]["content"],
        "second"
    );
    let dump = format!("{requests:?}");
    assert!(!dump.contains(sim.api_key()), "{dump}");
}

#[tokio::test]
async fn reset_forgets_requests_and_scripts_but_keeps_builder_settings() {
    let sim = SimLlamaApi::builder()
        .reply_with(Reply::text("from the builder"))
        .start()
        .await;
    sim.reply_with(Reply::text("changed")).fail_next(5, 500);
    post(&sim, NATIVE, &ask("hi")).await;
    sim.reset();
    assert_eq!(sim.request_count(), 0);
    let (status, body) = post_json(&sim, NATIVE, &ask("hi")).await;
    assert_eq!(status, 200);
    assert_eq!(native_text(&body), "from the builder");
}

#[tokio::test]
async fn client_config_points_at_the_simulator() {
    let sim = SimLlamaApi::builder().api_key("k-123").start().await;
    let config = sim.client_config();
    assert_eq!(config.base_url, sim.uri());
    assert_eq!(config.api_key.as_deref(), Some("k-123"));
    assert!(!format!("{sim:?}").contains("k-123"));
    let any = SimLlamaApi::builder().any_api_key().start().await;
    let response = http()
        .post(format!("{}{NATIVE}", any.uri()))
        .bearer_auth("whatever")
        .json(&ask("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
