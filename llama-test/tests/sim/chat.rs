//! Non-streaming answers: shapes, deterministic content, tools, schemas,
//! images, usage, rate-limit headers, the models list.

use llama_test::sim::SimLlamaApi;
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn native_answer_has_the_native_shape_and_quotes_the_prompt() {
    let sim = SimLlamaApi::start().await;
    let (status, body) = post_json(
        &sim,
        NATIVE,
        &ask("Explain quantum computing in simple terms"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let message = &body["completion_message"];
    assert_eq!(message["role"], "assistant");
    assert_eq!(message["content"]["type"], "text");
    assert!(
        message["content"]["text"]
            .as_str()
            .unwrap()
            .contains("quantum")
    );
    assert_eq!(message["stop_reason"], "stop");
    assert_eq!(message["tool_calls"], json!([]));
    let names: Vec<&str> = body["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|m| assert_eq!(m["unit"], "tokens"))
        .map(|m| m["metric"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "num_completion_tokens",
            "num_prompt_tokens",
            "num_total_tokens"
        ]
    );
    let metrics = &body["metrics"];
    assert_eq!(
        metric(metrics, "num_total_tokens"),
        metric(metrics, "num_prompt_tokens") + metric(metrics, "num_completion_tokens")
    );
    assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn compat_answer_has_the_openai_shape() {
    let sim = SimLlamaApi::start().await;
    let (status, body) = post_json(&sim, COMPAT, &ask("Explain quantum computing")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["model"], MODEL);
    assert!(body["id"].as_str().unwrap().starts_with("chatcmpl-"));
    let choice = &body["choices"][0];
    assert_eq!(choice["message"]["role"], "assistant");
    assert!(
        choice["message"]["content"]
            .as_str()
            .unwrap()
            .contains("quantum")
    );
    assert_eq!(choice["finish_reason"], "stop");
    let usage = &body["usage"];
    assert_eq!(
        usage["total_tokens"].as_u64().unwrap(),
        usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
    );
}

#[tokio::test]
async fn answers_are_deterministic_per_request() {
    let sim = SimLlamaApi::start().await;
    let (_, first) = post_json(&sim, NATIVE, &ask("Write a haiku about rust")).await;
    let (_, again) = post_json(&sim, NATIVE, &ask("Write a haiku about rust")).await;
    let (_, other) = post_json(&sim, NATIVE, &ask("Write a haiku about go")).await;
    assert_eq!(first, again);
    assert_ne!(first["id"], other["id"]);
}

#[tokio::test]
async fn max_tokens_cuts_the_answer_with_stop_reason_length() {
    let sim = SimLlamaApi::start().await;
    let mut body = ask("Write a long story about dragons, castles and knights");
    body["max_completion_tokens"] = json!(2);
    let (_, native) = post_json(&sim, NATIVE, &body).await;
    assert_eq!(native["completion_message"]["stop_reason"], "length");
    assert_eq!(metric(&native["metrics"], "num_completion_tokens"), 2);

    let mut body = ask("Write a long story about dragons, castles and knights");
    body["max_tokens"] = json!(2);
    let (_, compat) = post_json(&sim, COMPAT, &body).await;
    assert_eq!(compat["choices"][0]["finish_reason"], "length");
}

#[tokio::test]
async fn weather_question_gets_a_tool_call_with_the_city() {
    let sim = SimLlamaApi::start().await;
    let mut body = ask("What's the weather like in New York, NY?");
    body["tools"] = weather_tools();

    let (_, native) = post_json(&sim, NATIVE, &body).await;
    let message = &native["completion_message"];
    // The real API's quirk: tool calls arrive with stop_reason "stop".
    assert_eq!(message["stop_reason"], "stop");
    assert_eq!(message["content"], json!({"type": "text", "text": ""}));
    let call = &message["tool_calls"][0];
    assert_eq!(call["function"]["name"], "get_weather");
    assert_eq!(
        call["id"].as_str().unwrap().len(),
        36,
        "UUID-shaped: {call}"
    );
    let args: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(args, json!({"location": "New York, NY"}));

    let (_, compat) = post_json(&sim, COMPAT, &body).await;
    let choice = &compat["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls");
    assert_eq!(choice["message"]["tool_calls"][0]["type"], "function");
    assert_eq!(
        choice["message"]["tool_calls"][0]["function"]["name"],
        "get_weather"
    );
}

#[tokio::test]
async fn tool_choice_decides_whether_a_tool_is_called() {
    let sim = SimLlamaApi::start().await;
    let mut body = ask("What's the weather like in Paris?");
    body["tools"] = weather_tools();
    body["tool_choice"] = json!("none");
    let (_, none) = post_json(&sim, NATIVE, &body).await;
    assert_eq!(none["completion_message"]["tool_calls"], json!([]));

    let mut body = ask("Tell me a joke");
    body["tools"] = weather_tools();
    let (_, unrelated) = post_json(&sim, NATIVE, &body).await;
    assert_eq!(unrelated["completion_message"]["tool_calls"], json!([]));

    body["tool_choice"] = json!({"type": "function", "function": {"name": "get_weather"}});
    let (_, forced) = post_json(&sim, NATIVE, &body).await;
    assert_eq!(
        forced["completion_message"]["tool_calls"][0]["function"]["name"],
        "get_weather"
    );
}

#[tokio::test]
async fn a_tool_result_is_answered_in_text_using_its_content() {
    let sim = SimLlamaApi::start().await;
    let body = json!({"model": MODEL, "tools": weather_tools(), "messages": [
        {"role": "user", "content": "Is it raining in Bellevue?"},
        {"role": "assistant", "content": {"type": "text", "text": ""}, "stop_reason": "tool_calls",
         "tool_calls": [{"id": "call-1", "function": {"name": "get_weather",
                                                      "arguments": "{\"location\": \"Bellevue\"}"}}]},
        {"role": "tool", "tool_call_id": "call-1", "content": "The weather in Bellevue is sunny."}
    ]});
    let (_, answer) = post_json(&sim, NATIVE, &body).await;
    let text = answer["completion_message"]["content"]["text"]
        .as_str()
        .unwrap();
    assert!(text.contains("The weather in Bellevue is sunny."), "{text}");
    assert_eq!(answer["completion_message"]["tool_calls"], json!([]));
}

#[tokio::test]
async fn json_schema_answers_validate_against_the_schema() {
    let sim = SimLlamaApi::start().await;
    let schema = json!({"type": "object", "properties": {
        "rating": {"type": "number", "minimum": 1, "maximum": 5},
        "summary": {"type": "string"},
        "pros": {"type": "array", "items": {"type": "string"}},
        "cons": {"type": "array", "items": {"type": "string"}}
    }, "required": ["rating", "summary"]});
    let mut body = ask("Review this product: Wireless headphones with great sound quality");
    body["response_format"] =
        json!({"type": "json_schema", "json_schema": {"name": "product_review", "schema": schema}});
    for (path, pointer) in [
        (NATIVE, "/completion_message/content/text"),
        (COMPAT, "/choices/0/message/content"),
    ] {
        let (_, answer) = post_json(&sim, path, &body).await;
        let review: Value =
            serde_json::from_str(answer.pointer(pointer).unwrap().as_str().unwrap()).unwrap();
        assert!(jsonschema::is_valid(&schema, &review), "{review}");
        let rating = review["rating"].as_f64().unwrap();
        assert!((1.0..=5.0).contains(&rating));
    }
}

#[tokio::test]
async fn images_are_acknowledged_and_refused_by_text_only_models() {
    let sim = SimLlamaApi::start().await;
    let content = json!([
        {"type": "text", "text": "What do you see in this image?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/image.jpg"}}
    ]);
    let body = json!({"model": "Llama-4-Maverick-17B-128E-Instruct-FP8",
                      "messages": [{"role": "user", "content": content}]});
    let (status, answer) = post_json(&sim, NATIVE, &body).await;
    assert_eq!(status, 200);
    let text = answer["completion_message"]["content"]["text"]
        .as_str()
        .unwrap();
    assert!(text.starts_with("I see 1 image."), "{text}");
    // One 336x336 tile per image is counted in the prompt.
    assert!(metric(&answer["metrics"], "num_prompt_tokens") > 145);

    let body = json!({"model": "Cerebras-Llama-4-Scout-17B-16E-Instruct",
                      "messages": [{"role": "user", "content": content}]});
    let (status, problem) = post_json(&sim, NATIVE, &body).await;
    assert_eq!(status, 400);
    assert!(
        problem["detail"].as_str().unwrap().contains("image"),
        "{problem}"
    );
}

#[tokio::test]
async fn success_carries_rate_limit_headers_counting_down() {
    let sim = SimLlamaApi::start().await;
    let remaining = |r: &reqwest::Response, name: &str| -> u64 {
        r.headers()[name].to_str().unwrap().parse().unwrap()
    };
    let first = post(&sim, NATIVE, &ask("hi")).await;
    let second = post(&sim, NATIVE, &ask("hi")).await;
    assert_eq!(remaining(&first, "x-ratelimit-limit-requests"), 3_000);
    assert_eq!(remaining(&first, "x-ratelimit-limit-tokens"), 1_000_000);
    assert_eq!(
        remaining(&first, "x-ratelimit-remaining-requests"),
        remaining(&second, "x-ratelimit-remaining-requests") + 1
    );
    assert!(
        remaining(&second, "x-ratelimit-remaining-tokens")
            < remaining(&first, "x-ratelimit-remaining-tokens")
    );
}

#[tokio::test]
async fn models_list_has_the_catalogue_and_added_models() {
    let sim = SimLlamaApi::builder()
        .with_model("my-finetune")
        .start()
        .await;
    let body: Value = http()
        .get(format!("{}/v1/models", sim.uri()))
        .bearer_auth(sim.api_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), llama_test::catalogue::MODELS.len() + 1);
    for model in data {
        assert_eq!(model["object"], "model");
        assert_eq!(model["owned_by"], "Meta");
        assert!(model["created"].is_u64());
    }
    assert!(data.iter().any(|m| m["id"] == "Llama-3.3-8B-Instruct"));
    assert!(data.iter().any(|m| m["id"] == "my-finetune"));

    let one: Value = http()
        .get(format!("{}/v1/models/Llama-3.3-8B-Instruct", sim.uri()))
        .bearer_auth(sim.api_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["id"], "Llama-3.3-8B-Instruct");
    let (status, _) = post_json(
        &sim,
        NATIVE,
        &json!({"model": "my-finetune",
        "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert_eq!(status, 200);
}
