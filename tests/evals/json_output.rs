//! Seed: "JSON Structured Output — generate responses following a specific
//! JSON schema".
//!
//! ```yaml
//! providers:
//!   - id: llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8
//!     config:
//!       temperature: 0.1
//!       response_format:
//!         type: json_schema
//!         json_schema: { name: product_review, schema: ... }
//! prompts: ['Review this product: {{product_description}}']
//! tests:
//!   - vars:
//!       product_description: 'Wireless headphones with great sound quality but short battery life'
//!     assert:
//!       - type: is-json
//!       - type: javascript
//!         value: 'JSON.parse(output).rating >= 1 && JSON.parse(output).rating <= 5'
//! ```
//!
//! `json_schema = "tests/data/product_review.json"` sends
//! `response_format: {type: json_schema, json_schema: {name: "product_review", schema}}`
//! (the name is the file stem). The javascript check is two lines of Rust.

use llama_test::prelude::*;
use serde::Deserialize;

#[llama_eval(
    model = "llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8",
    temperature = 0.1,
    json_schema = "tests/data/product_review.json",
    prompt = "Review this product: {{product_description}}",
    case(
        name = "headphones",
        product_description = "Wireless headphones with great sound quality but short battery life",
    ),
    assert(is_json)
)]
fn product_review(out: Output) {
    let review = out.assert_is_json();
    let rating = review["rating"].as_f64().expect("`rating` is a number");
    assert!(
        (1.0..=5.0).contains(&rating),
        "rating {rating} is outside 1..=5"
    );
    assert_output_snapshot!(out);
}

/// The same answer into a typed struct, checked against the schema too.
#[derive(Debug, Deserialize)]
struct Review {
    rating: f64,
    summary: String,
}

#[llama_eval(
    model = "llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8",
    temperature = 0.1,
    json_schema = "tests/data/product_review.json",
    prompt = "Review this product: {{product_description}}",
    case(product_description = "A mechanical keyboard with loud switches"),
    case(product_description = "A paperback novel with a bent cover")
)]
fn typed_review(out: Output) {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../data/product_review.json"))
            .expect("valid schema file");
    out.assert_json_schema(&schema);
    let review: Review = out.json().expect("a product review");
    assert!((1.0..=5.0).contains(&review.rating));
    assert!(!review.summary.is_empty());
}
