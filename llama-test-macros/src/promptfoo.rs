//! `promptfoo_suite!("tests/promptfoo/NAME.yaml")`: one `#[test]` per
//! provider × prompt × test case, each a static `EvalSpec` run by
//! `__private::run`. The config is parsed by `llama_test_core::promptfoo`;
//! this module only names the tests and writes the tokens.
//!
//! `promptfoo_suite!("...", agent(tools = path::to::registry, ...))` runs
//! every test as an agent loop with the attribute's `agent(...)` options
//! (parsed by the same `agent` module), so `trajectory:*` assertions work.

use std::path::Path;

use proc_macro2::{Ident, Literal, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::LitStr;

use llama_test_core::promptfoo::{self, Rendered, Suite};

use crate::agent::Agent;
use crate::errors::Errors;
use crate::names::{backticked, hint};
use crate::tokens::{self, opt_f64, opt_str};

/// What may follow the config's path.
const OPTIONS: &[&str] = &["agent"];

const USAGE: &str = "expected the path of a promptfoo config: \
    `promptfoo_suite!(\"tests/promptfoo/NAME.yaml\");`, optionally followed by \
    `, agent(tools = path::to::registry)`";

pub fn expand(input: TokenStream) -> TokenStream {
    let mut trees = input.into_iter().peekable();
    let first: TokenStream = trees.next().into_iter().collect();
    let lit: LitStr = match syn::parse2(first.clone()) {
        Ok(lit) => lit,
        Err(_) => {
            let span = syn::spanned::Spanned::span(&first);
            return syn::Error::new(span, USAGE).to_compile_error();
        }
    };
    let rest: TokenStream = match trees.next() {
        None => TokenStream::new(),
        Some(TokenTree::Punct(p)) if p.as_char() == ',' => trees.collect(),
        Some(other) => return syn::Error::new(other.span(), USAGE).to_compile_error(),
    };
    let mut errors = Errors::new();
    let agent = options(rest, &mut errors);
    if !errors.is_empty() {
        return errors.to_compile_errors();
    }
    match generate(&lit, agent.as_ref()) {
        Ok(tokens) => tokens,
        Err(message) => syn::Error::new(lit.span(), message).to_compile_error(),
    }
}

/// The items after the path: only `agent(...)`, at most once.
fn options(tokens: TokenStream, errors: &mut Errors) -> Option<Agent> {
    let mut agent = None;
    let mut seen = false;
    for arg in crate::args::parse_args(tokens, errors) {
        let name = arg.name();
        match name.as_str() {
            "agent" if seen => errors.push(&arg.tokens, "`agent(...)` is given twice"),
            "agent" => {
                seen = true;
                agent = crate::agent::parse(&arg, errors);
            }
            _ => errors.push(
                &arg.key,
                format!(
                    "unknown option `{name}` after the config's path{}; expected: {}",
                    hint(&name, OPTIONS),
                    backticked(OPTIONS)
                ),
            ),
        }
    }
    agent
}

fn generate(lit: &LitStr, agent: Option<&Agent>) -> Result<TokenStream, String> {
    let path = lit.value();
    let dir = crate::files::manifest_dir()?;
    let full = dir.join(&path);
    let text = std::fs::read_to_string(&full).map_err(|e| {
        format!(
            "cannot read `{path}` (paths are relative to the crate root, CARGO_MANIFEST_DIR): {e}"
        )
    })?;
    let base = Path::new(&path)
        .parent()
        .unwrap_or(Path::new(""))
        .to_owned();
    let mut tracked: Vec<String> = vec![path.clone()];
    let suite = promptfoo::parse(&text, |rel| {
        let rel_path = base.join(rel);
        let shown = rel_path.to_string_lossy().replace('\\', "/");
        let contents = std::fs::read_to_string(dir.join(&rel_path))
            .map_err(|e| format!("cannot read `file://{rel}` ({shown}): {e}"))?;
        tracked.push(shown);
        Ok(contents)
    })
    .map_err(|e| match e.file {
        Some(_) => format!("{path}: in {e}"),
        None => format!("{path}:{e}"),
    })?;
    let module = promptfoo::module_name(&path);
    let config = llama_test_core::ConfigFile::load(&dir).ok();
    for p in &suite.providers {
        llama_test_core::ModelRef::parse(&p.id, config.as_ref())
            .map_err(|e| format!("{path}: provider `{}`: {e}", p.id))?;
    }
    let registry_const = format_ident!("__LLAMA_TEST_{}_TOOLS", module.to_uppercase());
    // The spec's `agent` value; `None` when the suite makes single calls.
    let (registry, agent_spec) = match agent {
        Some(agent) => {
            let mut errors = Errors::new();
            check_agent(&suite, agent, &path, &mut errors);
            if !errors.is_empty() {
                return Ok(errors.to_compile_errors());
            }
            let krate: syn::Path = syn::parse_quote!(::llama_test);
            (
                Some(registry(&krate, agent, &registry_const)),
                Some(agent.spec_tokens(&krate, &quote!(super::#registry_const))),
            )
        }
        None => (None, None),
    };
    let tests = tests(&suite, &module, &path, agent_spec.as_ref())?;
    let module_ident = Ident::new(&module, Span::call_site());
    let includes = tracked.iter().map(|p| {
        quote!(
            const _: &str =
                ::core::include_str!(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #p));
        )
    });
    Ok(quote! {
        #registry
        mod #module_ident {
            #(#includes)*
            #(#tests)*
        }
    })
}

/// The loop sends each answer's tool calls to the registry, so every
/// provider must declare the tools the model may call; `then_tool_choice`
/// is a mode or a tool every provider declares.
fn check_agent(suite: &Suite, agent: &Agent, path: &str, errors: &mut Errors) {
    for p in &suite.providers {
        let names: Vec<String> = match p.declared_tools() {
            Ok(tools) if !tools.is_empty() => tools.into_iter().map(|t| t.name).collect(),
            Err(e) => {
                errors.push(
                    &agent.tools,
                    format!("{path}: provider `{}`: `config.tools`: {e}", p.id),
                );
                continue;
            }
            Ok(_) => {
                errors.push(
                    &agent.tools,
                    format!(
                        "{path}: provider `{}` declares no `config.tools`, but `agent(...)` runs a \
                         tool loop: add the tools the model may call (each needs an implementation \
                         in the registry)",
                        p.id
                    ),
                );
                continue;
            }
        };
        let Some(choice) = &agent.then_tool_choice else {
            continue;
        };
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let what = format!("a tool provider `{}` declares", p.id);
        if let Some(message) = crate::agent::then_tool_choice_error(&choice.value, &names, &what) {
            errors.push(&choice.tokens, format!("{path}: {message}"));
        }
    }
}

/// A trajectory check without `agent(...)` has no loop to read (promptfoo's
/// `tool-call-f1` also reads one answer's calls, so it is allowed).
fn needs_no_loop(case: &promptfoo::Case, where_: &str, path: &str) -> Result<(), String> {
    let trajectory = case.checks.iter().find(|c| promptfoo::needs_loop(&c.kind));
    match trajectory {
        Some(check) => Err(format!(
            "{where_}: `{}` checks the trajectory of an agent loop, and the suite makes single \
             calls; run it as a loop with Rust tool implementations: \
             `promptfoo_suite!(\"{path}\", agent(tools = path::to::registry));`",
            check.kind
        )),
        None => Ok(()),
    }
}

/// The user's registry fn as a const at the call site: the path resolves
/// where the user wrote it (the tests live in a module below), and a
/// registry of the wrong type is a rustc error on the path.
fn registry(krate: &syn::Path, agent: &Agent, name: &Ident) -> TokenStream {
    let tools = &agent.tools;
    quote_spanned!(syn::spanned::Spanned::span(tools)=>
        #[doc(hidden)]
        const #name: fn() -> #krate::ToolRegistry = #tools;
    )
}

fn tests(
    suite: &Suite,
    module: &str,
    path: &str,
    agent: Option<&TokenStream>,
) -> Result<Vec<TokenStream>, String> {
    let krate: syn::Path = syn::parse_quote!(::llama_test);
    let instances = promptfoo::instances(suite).map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::with_capacity(instances.len());
    for instance in instances {
        let name = &instance.name;
        let where_ = format!("{path}: test {} ({name})", instance.case_index + 1);
        if agent.is_none() {
            needs_no_loop(instance.case, &where_, path)?;
        }
        let (prompt, messages) = match instance.render().map_err(|e| format!("{where_}: {e}"))? {
            Rendered::Text(text) => (Some(text), None),
            Rendered::Chat(json) => (None, Some(json)),
        };
        let spec = spec(
            &krate,
            module,
            name,
            instance.provider,
            prompt,
            messages,
            instance.case,
            agent,
        );
        let ident = Ident::new(name, Span::call_site());
        let allow = name
            .contains("__")
            .then(|| quote!(#[allow(non_snake_case)]));
        out.push(quote! {
            #[::core::prelude::v1::test]
            #allow
            fn #ident() {
                static __LLAMA_EVAL_SPEC: #krate::__private::EvalSpec = #spec;
                #krate::__private::inventory::submit! {
                    #krate::__private::EvalRegistration(&__LLAMA_EVAL_SPEC)
                }
                #krate::__private::run(&__LLAMA_EVAL_SPEC, |_| async move {});
            }
        });
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn spec(
    krate: &syn::Path,
    module: &str,
    test_name: &str,
    p: &promptfoo::Provider,
    prompt: Option<String>,
    messages: Option<String>,
    case: &promptfoo::Case,
    agent: Option<&TokenStream>,
) -> TokenStream {
    let (vars, checks) = (&case.vars, &case.checks);
    let threshold = opt_f64(case.threshold);
    let grader = opt_str(case.grader.as_deref());
    let inline = |text: Option<&str>| match text {
        Some(t) => {
            quote!(::core::option::Option::Some(#krate::__private::FileSpec { path: "<inline>", contents: #t }))
        }
        None => quote!(::core::option::Option::None),
    };
    let prompt = opt_str(prompt.as_deref());
    let messages = inline(messages.as_deref());
    let tools = inline(p.tools.as_deref());
    let json_schema = inline(p.json_schema.as_deref());
    let tool_choice = opt_str(p.tool_choice.as_deref());
    let model = &p.id;
    let sampling = tokens::sampling(
        krate,
        &llama_test_core::sampling::Sampling {
            temperature: p.temperature,
            top_p: p.top_p,
            max_tokens: p.max_tokens,
            frequency_penalty: p.frequency_penalty,
            presence_penalty: p.presence_penalty,
            ..Default::default()
        },
    );
    let endpoint = tokens::endpoint(krate, "native");
    let stream = p.stream;
    let vars = vars.iter().map(|(k, v)| {
        let v = promptfoo::var_text(v);
        quote!((#k, #v))
    });
    let asserts = checks.iter().map(|c| {
        let kind = &c.kind;
        let value = &c.value_json;
        let weight = Literal::f64_unsuffixed(c.weight);
        let threshold = opt_f64(c.threshold);
        let transform = opt_str(c.transform_json.as_deref());
        let metric = opt_str(c.metric.as_deref());
        quote!(#krate::__private::AssertSpec {
            kind: #kind,
            value: #value,
            weight: #weight,
            threshold: #threshold,
            transform: #transform,
            metric: #metric,
        })
    });
    let agent = agent.map_or_else(|| quote!(::core::option::Option::None), Clone::clone);
    quote! {
        #krate::__private::EvalSpec {
            module_path: ::core::module_path!(),
            fn_name: #module,
            test_name: #test_name,
            case_name: ::core::option::Option::Some(#test_name),
            model_suffix: ::core::option::Option::None,
            manifest_dir: ::core::env!("CARGO_MANIFEST_DIR"),
            package: ::core::env!("CARGO_PKG_NAME"),
            source_file: ::core::file!(),
            line: ::core::line!(),
            model: #model,
            endpoint: #endpoint,
            system: ::core::option::Option::None,
            prompt: #prompt,
            messages: #messages,
            images: &[],
            sampling: #sampling,
            stream: #stream,
            tools: #tools,
            tool_choice: #tool_choice,
            json_schema: #json_schema,
            extra_body: ::core::option::Option::None,
            vars: &[#(#vars),*],
            asserts: &[#(#asserts),*],
            threshold: #threshold,
            repeat: 1,
            min_pass: ::core::option::Option::None,
            timeout_ms: ::core::option::Option::None,
            mode: ::core::option::Option::None,
            grader: #grader,
            agent: #agent,
            allow_unlisted_model: false,
            ignored: false,
        }
    }
}
