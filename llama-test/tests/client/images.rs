//! Image limits are enforced before anything is sent: the simulated Llama
//! API must see zero requests for every refused request, and a valid image
//! goes out as a content part.

use crate::support::sim_client;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use llama_test::images::test_images::{bmp, png};
use llama_test::images::{image_url_from_bytes, image_url_from_file};
use llama_test::sim::{Reply, SimLlamaApi};
use llama_test::{ChatRequest, Error, Message};

const SCOUT_FP8: &str = "Llama-4-Scout-17B-16E-Instruct-FP8";

fn with_images(model: &str, urls: Vec<String>) -> ChatRequest {
    let message = urls.into_iter().fold(
        Message::user("What is in these images?"),
        Message::with_image_url,
    );
    ChatRequest::new(model).message(message)
}

/// Sends `request` to a fresh simulator: it must be refused with an
/// [`Error::InvalidRequest`] naming `expected`, and nothing must arrive.
async fn refused_before_sending(request: ChatRequest, expected: &str) {
    let sim = SimLlamaApi::start().await;
    let err = sim_client(&sim).chat(&request).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(err.to_string().contains(expected), "{err}");
    assert_eq!(sim.request_count(), 0, "the request reached the simulator");
}

#[tokio::test]
async fn a_26_mb_image_fails_before_sending() {
    let mut big = png(6000, 6000);
    big.resize(26 * 1024 * 1024, 0);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.png");
    std::fs::write(&file, &big).unwrap();
    let err = image_url_from_file(&file).unwrap_err().to_string();
    assert!(err.contains("huge.png") && err.contains("25 MB"), "{err}");

    let url = format!("data:image/png;base64,{}", BASE64.encode(&big));
    refused_before_sending(with_images(SCOUT_FP8, vec![url]), "25 MB").await;
}

#[tokio::test]
async fn a_bmp_fails_before_sending() {
    let err = image_url_from_bytes(&bmp(), "scan.bmp")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("scan.bmp") && err.contains("JPEG, PNG, GIF or ICO"),
        "{err}"
    );
    let url = format!("data:image/bmp;base64,{}", BASE64.encode(bmp()));
    refused_before_sending(with_images(SCOUT_FP8, vec![url]), "JPEG, PNG, GIF or ICO").await;
}

#[tokio::test]
async fn ten_images_fail_before_sending() {
    let url = image_url_from_bytes(&png(64, 64), "tiny.png").unwrap();
    refused_before_sending(with_images(SCOUT_FP8, vec![url; 10]), "at most 9").await;
}

#[tokio::test]
async fn any_image_to_a_cerebras_model_fails_before_sending() {
    let model = "Cerebras-Llama-4-Scout-17B-16E-Instruct";
    let data_url = image_url_from_bytes(&png(64, 64), "tiny.png").unwrap();
    refused_before_sending(with_images(model, vec![data_url]), model).await;
    refused_before_sending(
        with_images(model, vec!["https://example.com/cat.jpg".into()]),
        "Llama-4-Maverick-17B-128E-Instruct-FP8",
    )
    .await;
}

#[tokio::test]
async fn valid_images_are_sent_as_parts() {
    let sim = SimLlamaApi::start().await;
    sim.reply_with(Reply::text("a cat"));
    let data_url = image_url_from_bytes(&png(64, 64), "tiny.png").unwrap();
    let request = with_images(
        SCOUT_FP8,
        vec![data_url.clone(), "https://example.com/cat.jpg".into()],
    );
    let completion = sim_client(&sim).chat(&request).await.unwrap();
    assert_eq!(completion.text, "a cat");
    let received = sim.received_requests();
    assert_eq!(received.len(), 1);
    let sent = received[0].body_json().unwrap();
    let content = &sent["messages"][0]["content"];
    assert_eq!(content[0]["type"], "text");
    assert_eq!(content[1]["image_url"]["url"], data_url);
    assert_eq!(
        content[2]["image_url"]["url"],
        "https://example.com/cat.jpg"
    );
}
