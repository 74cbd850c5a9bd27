// A promptfoo config error is a compile error at the path literal, naming
// the YAML file, line, column and key with the accepted keys.
llama_test::promptfoo_suite!("tests/ui/data/pf_bad_key.yaml");
// An unsupported assertion type names the type and its line and lists the
// supported ones.
llama_test::promptfoo_suite!("tests/ui/data/pf_python.yaml");
// A `file://` JavaScript file that is not there.
llama_test::promptfoo_suite!("tests/ui/data/pf_bad_js.yaml");

fn main() {}
