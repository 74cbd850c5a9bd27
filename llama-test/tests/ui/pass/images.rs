use llama_test::llama_eval;

#[llama_eval(model = "Llama-4-Maverick-17B-128E-Instruct-FP8", prompt = "Compare", images = ["tests/ui/data/pixel.png", "https://example.com/a.jpg", "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"])]
fn images(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
