use llama_test::llama_eval;

#[llama_eval(model = "Llama-4-Maverick-17B-128E-Instruct-FP8", prompt = "What do you see?", image = "tests/ui/data/pixel.png")]
fn image(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
