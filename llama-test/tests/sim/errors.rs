//! Rejections the real API makes: 401, 404 model and path, 400 for a form
//! body or OpenAI-only fields on the native endpoint.

use llama_test::sim::SimLlamaApi;
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn wrong_or_missing_key_is_a_401_problem_that_never_echoes_the_key() {
    let sim = SimLlamaApi::builder().api_key("right-key").start().await;
    let wrong = http()
        .post(format!("{}{NATIVE}", sim.uri()))
        .bearer_auth("LLM|607358788850350|secret-wrong-key")
        .json(&ask("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(
        wrong.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("json")
    );
    let body = wrong.text().await.unwrap();
    assert!(!body.contains("secret-wrong-key"), "{body}");
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["status"], 401);
    assert_eq!(problem["title"], "Unauthorized");

    let missing = http()
        .post(format!("{}{COMPAT}", sim.uri()))
        .json(&ask("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    let requests = sim.received_requests();
    assert!(requests.iter().all(|r| !r.authorized));
    assert_eq!(requests[0].header("authorization"), Some("[REDACTED]"));
}

#[tokio::test]
async fn echo_knob_puts_the_key_into_error_bodies() {
    let sim = SimLlamaApi::builder().echo_auth_in_errors().start().await;
    let body = http()
        .post(format!("{}{NATIVE}", sim.uri()))
        .bearer_auth("LLM|1|leaky-key")
        .json(&ask("hi"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("Bearer LLM|1|leaky-key"), "{body}");
}

#[tokio::test]
async fn unknown_model_is_a_404_problem_naming_it() {
    let sim = SimLlamaApi::start().await;
    let body =
        json!({"model": "Llama-9-Imaginary", "messages": [{"role": "user", "content": "hi"}]});
    for path in [NATIVE, COMPAT] {
        let (status, problem) = post_json(&sim, path, &body).await;
        assert_eq!(status, 404);
        assert_eq!(
            problem,
            json!({"title": "Not Found", "detail": "Model 'Llama-9-Imaginary' not found", "status": 404})
        );
    }
}

#[tokio::test]
async fn unknown_path_is_a_404_problem_naming_it() {
    let sim = SimLlamaApi::start().await;
    // A base URL without `/v1`, the classic mistake.
    let (status, problem) = post_json(&sim, "/chat/completions", &ask("hi")).await;
    assert_eq!(status, 404);
    assert_eq!(
        problem,
        json!({"title": "Not Found", "detail": "Path '/chat/completions' was not found", "status": 404})
    );
}

#[tokio::test]
async fn form_encoded_body_is_a_400_with_title_or_error() {
    let sim = SimLlamaApi::start().await;
    for path in [NATIVE, COMPAT] {
        let response = http()
            .post(format!("{}{path}", sim.uri()))
            .bearer_auth(sim.api_key())
            .header("content-type", "application/x-www-form-urlencoded")
            .body("model=Llama-3.3-70B-Instruct")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{path}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body.get("title").is_some() || body.get("error").is_some(),
            "{body}"
        );
        assert!(body.to_string().contains("application/json"), "{body}");
    }
}

#[tokio::test]
async fn native_endpoint_refuses_openai_only_fields_naming_the_fix() {
    let sim = SimLlamaApi::start().await;
    let mut body = ask("hi");
    body["max_tokens"] = json!(100);
    let (status, problem) = post_json(&sim, NATIVE, &body).await;
    assert_eq!(status, 400);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("max_completion_tokens")
    );

    let mut body = ask("hi");
    body["frequency_penalty"] = json!(0);
    let (status, problem) = post_json(&sim, NATIVE, &body).await;
    assert_eq!(status, 400);
    assert!(problem["detail"].as_str().unwrap().contains("/compat/v1"));
    // The compat endpoint takes both.
    body["max_tokens"] = json!(100);
    let (status, _) = post_json(&sim, COMPAT, &body).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn malformed_bodies_are_400s_that_say_what_is_missing() {
    let sim = SimLlamaApi::start().await;
    let (status, problem) = post_json(&sim, NATIVE, &json!({"model": MODEL})).await;
    assert_eq!(status, 400);
    assert!(problem["detail"].as_str().unwrap().contains("'messages'"));
    let (status, error) = post_json(&sim, COMPAT, &json!({"messages": []})).await;
    assert_eq!(status, 400);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'model'")
    );
}
