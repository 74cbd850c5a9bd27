use llama_test::llama_eval;

#[llama_eval(model = "Llama-4-Maverick-17B-128E-Instruct-FP8", prompt = "Rate it", json_schema = r#"{"type": "object", "required": ["rating"]}"#)]
fn json_schema_inline(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
