//! Image limits are enforced before anything is sent: the loopback server
//! must see zero requests for every refused request.

mod client_support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use client_support::*;
use llama_test::images::{image_url_from_bytes, image_url_from_file};
use llama_test::{ChatRequest, Client, Error, Message};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SCOUT_FP8: &str = "Llama-4-Scout-17B-16E-Instruct-FP8";

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    b
}

fn bmp() -> Vec<u8> {
    let mut b = b"BM".to_vec();
    b.extend_from_slice(&[0; 12]);
    b.extend_from_slice(&40u32.to_le_bytes());
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&[0; 28]);
    b
}

fn with_images(model: &str, urls: Vec<String>) -> ChatRequest {
    let message = urls.into_iter().fold(
        Message::user("What is in these images?"),
        Message::with_image_url,
    );
    ChatRequest::new(model).message(message)
}

async fn server_accepting_anything() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(native_answer("a cat")))
        .mount(&server)
        .await;
    server
}

async fn refused_before_sending(request: ChatRequest, expected: &str) {
    let server = server_accepting_anything().await;
    let err = Client::new(config(&server))
        .unwrap()
        .chat(&request)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(err.to_string().contains(expected), "{err}");
    assert_eq!(
        request_count(&server).await,
        0,
        "the request reached the server"
    );
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
    let server = server_accepting_anything().await;
    let data_url = image_url_from_bytes(&png(64, 64), "tiny.png").unwrap();
    let request = with_images(
        SCOUT_FP8,
        vec![data_url.clone(), "https://example.com/cat.jpg".into()],
    );
    let completion = Client::new(config(&server))
        .unwrap()
        .chat(&request)
        .await
        .unwrap();
    assert_eq!(completion.text, "a cat");
    let sent: serde_json::Value = server.received_requests().await.unwrap()[0]
        .body_json()
        .unwrap();
    let content = &sent["messages"][0]["content"];
    assert_eq!(content[0]["type"], "text");
    assert_eq!(content[1]["image_url"]["url"], data_url);
    assert_eq!(
        content[2]["image_url"]["url"],
        "https://example.com/cat.jpg"
    );
}
