use llama_test::llama_eval;

#[llama_eval(
    model = "Cerebras-Llama-4-Maverick-17B-128E-Instruct",
    prompt = "What do you see?",
    image = "tests/ui/data/pixel.png"
)]
fn image_to_text_only_model(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
