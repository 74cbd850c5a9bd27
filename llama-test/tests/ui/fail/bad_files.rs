use llama_test::llama_eval;

#[llama_eval(
    model = "Llama-4-Scout-17B-16E-Instruct-FP8",
    messages = "tests/ui/data/bad_role_chat.json",
    tools = "tests/ui/data/broken_tools.json",
    image = "tests/ui/data/not-an-image.png",
    json_schema = "[1, 2]",
    images = ["/etc/passwd"]
)]
fn bad_files(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
