use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi", grader = "Llama-4-Maverick-17B-128E-Instruct-FP8", assert(llm_rubric = "Is friendly"))]
fn grader(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
