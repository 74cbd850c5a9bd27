//! Every accepted body form, with and without cases.
use llama_test::{Output, llama_eval};

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi")]
fn owned(out: Output) {
    let _ = out.text();
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi")]
fn borrowed(out: &Output) {
    let _ = out.text();
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi", assert(contains = "hello"))]
fn nothing() {}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "{{x}}", case(x = "a"))]
async fn async_owned(out: Output) {
    let _ = out.text();
}

#[llama_eval(models = ["Llama-3.3-70B-Instruct"], prompt = "Hi")]
async fn async_borrowed(out: &llama_test::Output) {
    let _ = out.text();
}

/// Docs and other attributes are kept.
#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi")]
#[ignore = "slow"]
#[allow(clippy::unused_async)]
async fn async_nothing() -> () {}

fn main() {}
