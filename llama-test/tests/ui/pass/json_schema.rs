use llama_test::llama_eval;

#[llama_eval(model = "Llama-4-Maverick-17B-128E-Instruct-FP8", prompt = "Review these headphones", json_schema = "tests/ui/data/product_review.schema.json")]
fn json_schema(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
