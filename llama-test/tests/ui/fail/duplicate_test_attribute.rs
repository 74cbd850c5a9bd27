use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi")]
#[tokio::test]
async fn with_tokio_test(out: llama_test::Output) {
    let _ = out.text();
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi")]
#[test]
fn with_plain_test(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
