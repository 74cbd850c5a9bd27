use llama_test::llama_eval;

// `#[tokio::test]` expands first and hands `#[llama_eval]` the built-in
// `#[::core::prelude::v1::test]`; the error must name what the user wrote.
#[tokio::test]
#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi")]
async fn tokio_test_above(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
