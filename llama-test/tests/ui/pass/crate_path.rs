//! `crate = "..."` for a renamed or re-exported `llama_test`.
mod support {
    pub use llama_test as reexported;
}

#[llama_test::llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Hi {{who}}",
    case(name = "first", who = "x"),
    case(name = "second", who = "y"),
    crate = "crate::support::reexported"
)]
fn crate_path(out: support::reexported::Output) {
    let _ = out.text();
}

fn main() {}
