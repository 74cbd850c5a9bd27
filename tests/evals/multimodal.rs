//! Seed: "Multimodal (Image + Text) — Llama 4 models can process images
//! alongside text".
//!
//! ```yaml
//! providers: [llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8]
//! prompts:
//!   - role: user
//!     content:
//!       - type: text
//!         text: 'What do you see in this image?'
//!       - type: image_url
//!         image_url:
//!           url: 'https://example.com/image.jpg'
//! tests:
//!   - assert:
//!       - type: llm-rubric
//!         value: 'Accurately describes the image content'
//! ```
//!
//! A URL is sent as is; a local file (JPEG, PNG, GIF or ICO, at most 25 MB,
//! at most 9 per request) is embedded at compile time and sent as a base64
//! data URL. Sending an image to a text-only model is a compile error.

use llama_test::prelude::*;

#[llama_eval(
    model = "llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8",
    prompt = "What do you see in this image?",
    image = "https://example.com/image.jpg",
    assert(llm_rubric = "Accurately describes the image content")
)]
fn describes_an_image_url(out: Output) {
    assert_output_snapshot!(out);
}

#[llama_eval(
    model = "Llama-4-Scout-17B-16E-Instruct-FP8",
    prompt = "What do you see in this image?",
    image = "tests/data/llama.png"
)]
fn describes_a_local_image(out: Output) {
    let url = out
        .request()
        .image_urls()
        .next()
        .expect("the image is attached");
    assert!(url.starts_with("data:image/png;base64,"));
    out.assert_llm_rubric("Mentions that an image was provided");
}

/// The seed's chat-format prompt, as a messages file.
#[llama_eval(
    model = "llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8",
    messages = "tests/data/describe_image_messages.json"
)]
fn describes_an_image_from_a_chat_file(out: Output) {
    assert!(!out.text().is_empty());
}
