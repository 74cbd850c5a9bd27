//! The generated code: one `#[test]` fn per case × model, each with a static
//! `EvalSpec`, an inventory registration and a call to `__private::run`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ItemFn;

use crate::body::{Attrs, Body, Input};
use crate::errors::Errors;
use crate::eval::{Case, Eval};
use crate::files::JsonFile;
use crate::keys::Spanned;
use crate::tokens::{self, opt_f64, opt_int, opt_str};

/// One generated test.
struct Instance<'a> {
    case: Option<&'a Case>,
    model: &'a Spanned<String>,
    /// `Some` when the eval has `models = [...]`.
    model_suffix: Option<String>,
    test_name: String,
}

/// The expansion of a valid eval, or `None` after reporting name clashes.
pub fn generate(
    item: &ItemFn,
    eval: &Eval,
    body: Body,
    attrs: &Attrs,
    errors: &mut Errors,
) -> Option<TokenStream> {
    let krate = eval
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::llama_test));
    let fn_name = item.sig.ident.to_string();
    let instances = instances(eval, &fn_name, errors)?;
    let grouped = !eval.cases.is_empty() || eval.models.is_some();
    let Attrs {
        test_only,
        cfg,
        other,
    } = attrs;
    // The runtime's prefetch honours `--ignored`, so it must know.
    let ignored = test_only.iter().any(|a| a.path().is_ident("ignore"));
    // Outside the `#[test]` fns, so `cargo build`/`check` report a registry
    // of the wrong type too, on the path.
    let registry_check = eval.agent.as_ref().map(|agent| {
        let tools = &agent.tools;
        quote_spanned!(syn::spanned::Spanned::span(tools)=>
            #(#cfg)*
            const _: fn() -> #krate::ToolRegistry = #tools;
        )
    });

    if !grouped {
        let instance = &instances[0];
        let mut inner = item.clone();
        inner.attrs.clear();
        inner.vis = syn::Visibility::Inherited;
        inner.sig.ident = Ident::new("__llama_eval_body", Span::call_site());
        let test_body = test_body(
            &krate,
            eval,
            instance,
            &fn_name,
            ignored,
            body,
            quote!(__llama_eval_body),
        );
        let name = &item.sig.ident;
        return Some(quote! {
            #registry_check
            #(#cfg)*
            #(#other)*
            #(#test_only)*
            #[::core::prelude::v1::test]
            fn #name() {
                #inner
                #test_body
            }
        });
    }

    let fn_ident = &item.sig.ident;
    let tests = instances.iter().map(|instance| {
        let name = Ident::new(&instance.test_name, Span::call_site());
        let body = test_body(
            &krate,
            eval,
            instance,
            &fn_name,
            ignored,
            body,
            quote!(super::#fn_ident),
        );
        // `case_1__model` is not snake case by rustc's definition.
        let allow = instance
            .test_name
            .contains("__")
            .then(|| quote!(#[allow(non_snake_case)]));
        quote! {
            #(#other)*
            #(#test_only)*
            #[::core::prelude::v1::test]
            #allow
            fn #name() {
                #body
            }
        }
    });
    let mut kept = item.clone();
    kept.attrs = cfg.iter().chain(other).cloned().collect();
    Some(quote! {
        #registry_check
        #[allow(dead_code)]
        #kept

        #(#cfg)*
        mod #fn_ident {
            #[allow(unused_imports)]
            use super::*;

            #(#tests)*
        }
    })
}

fn instances<'a>(eval: &'a Eval, fn_name: &str, errors: &mut Errors) -> Option<Vec<Instance<'a>>> {
    let cases: Vec<Option<&Case>> = if eval.cases.is_empty() {
        vec![None]
    } else {
        eval.cases.iter().map(Some).collect()
    };
    let mut out: Vec<Instance> = Vec::new();
    let mut clash = false;
    for case in cases {
        for model in eval.model_list() {
            let model_suffix = eval
                .models
                .as_ref()
                .map(|_| crate::names::model_suffix(&model.value));
            let test_name =
                crate::names::test_fn_name(case.map(|c| c.label.as_str()), model_suffix.as_deref())
                    .unwrap_or_else(|| fn_name.to_owned());
            // Case labels carry their index, so only a model listed twice
            // (perhaps once with a `llamaapi:` prefix) can clash.
            if out.iter().any(|i| i.test_name == test_name) {
                errors.push(
                    &model.tokens,
                    format!(
                        "two generated tests would both be named `{fn_name}::{test_name}`; \
                         list each model once"
                    ),
                );
                clash = true;
                continue;
            }
            out.push(Instance {
                case,
                model,
                model_suffix,
                test_name,
            });
        }
    }
    (!clash).then_some(out)
}

fn test_body(
    krate: &syn::Path,
    eval: &Eval,
    instance: &Instance,
    fn_name: &str,
    ignored: bool,
    body: Body,
    callee: TokenStream,
) -> TokenStream {
    let spec = spec(krate, eval, instance, fn_name, ignored);
    let argument = match body.input {
        Input::Nothing => quote!(),
        Input::Owned => quote!(__llama_eval_output),
        Input::Borrowed => quote!(&__llama_eval_output),
    };
    let parameter = match body.input {
        Input::Nothing => quote!(_),
        _ => quote!(__llama_eval_output),
    };
    let await_ = body.is_async.then(|| quote!(.await));
    // Reading the config through `include_str!` makes rustc rebuild the
    // test when `llama-test.toml` changes.
    let track_config = eval.config_path.as_deref().map(|path| {
        let include = include("include_str", path);
        quote!(const _: &str = #include;)
    });
    quote! {
        #track_config
        static __LLAMA_EVAL_SPEC: #krate::__private::EvalSpec = #spec;
        #krate::__private::inventory::submit! {
            #krate::__private::EvalRegistration(&__LLAMA_EVAL_SPEC)
        }
        #krate::__private::run(&__LLAMA_EVAL_SPEC, |#parameter| async move {
            #callee(#argument) #await_
        });
    }
}

fn spec(
    krate: &syn::Path,
    eval: &Eval,
    instance: &Instance,
    fn_name: &str,
    ignored: bool,
) -> TokenStream {
    let test_name = &instance.test_name;
    let case_name = opt_str(instance.case.map(|c| c.label.as_str()));
    let model_suffix = opt_str(instance.model_suffix.as_deref());
    let model = &instance.model.value;
    let endpoint = tokens::endpoint(
        krate,
        eval.endpoint
            .as_ref()
            .map_or("native", |e| e.value.as_str()),
    );
    let system = opt_str(eval.system.as_ref().map(|s| s.value.as_str()));
    let prompt = opt_str(eval.prompt.as_ref().map(|s| s.value.as_str()));
    let messages = opt_file(krate, eval.messages.as_ref());
    let images = eval.images.iter().map(|image| {
        let source = &image.source;
        let bytes = if image.local {
            let include = include("include_bytes", source);
            quote!(::core::option::Option::Some(#include as &[u8]))
        } else {
            quote!(::core::option::Option::None)
        };
        quote!(#krate::__private::ImageSpec { source: #source, bytes: #bytes })
    });
    let sampling = tokens::sampling(
        krate,
        &llama_test_core::sampling::Sampling {
            temperature: eval.temperature,
            top_p: eval.top_p,
            top_k: eval.top_k,
            max_tokens: eval.max_tokens,
            repetition_penalty: eval.repetition_penalty,
            frequency_penalty: eval.frequency_penalty.as_ref().map(|p| p.value),
            presence_penalty: eval.presence_penalty.as_ref().map(|p| p.value),
        },
    );
    let stream = eval.stream;
    let tools = opt_file(krate, eval.tools.as_ref());
    let tool_choice = opt_str(eval.tool_choice.as_ref().map(|s| s.value.as_str()));
    let json_schema = opt_file(krate, eval.json_schema.as_ref());
    let extra_body = opt_str(eval.extra_body.as_ref().map(|s| s.value.as_str()));
    let vars = instance
        .case
        .into_iter()
        .flat_map(|c| &c.vars)
        .map(|(k, v)| quote!((#k, #v)));
    let asserts = eval.checks.iter().map(|check| {
        let kind = &check.kind;
        let value = &check.value_json;
        let weight = Literal::f64_unsuffixed(check.weight);
        let threshold = opt_f64(check.threshold);
        quote!(#krate::__private::AssertSpec {
            kind: #kind,
            value: #value,
            weight: #weight,
            threshold: #threshold,
            transform: ::core::option::Option::None,
            metric: ::core::option::Option::None,
        })
    });
    let threshold = opt_f64(eval.threshold);
    let repeat = Literal::u32_unsuffixed(eval.repeat.unwrap_or(1));
    let min_pass = opt_f64(eval.min_pass.as_ref().map(|m| m.value));
    let timeout_ms = opt_int(eval.timeout_ms);
    let mode = tokens::mode(krate, eval.record.as_deref());
    let grader = opt_str(eval.grader.as_ref().map(|g| g.value.as_str()));
    let allow_unlisted_model = eval.allow_unlisted_model;
    let agent = match &eval.agent {
        Some(agent) => agent.spec_tokens(krate, &agent.tools),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #krate::__private::EvalSpec {
            module_path: ::core::module_path!(),
            fn_name: #fn_name,
            test_name: #test_name,
            case_name: #case_name,
            model_suffix: #model_suffix,
            manifest_dir: ::core::env!("CARGO_MANIFEST_DIR"),
            package: ::core::env!("CARGO_PKG_NAME"),
            source_file: ::core::file!(),
            line: ::core::line!(),
            model: #model,
            endpoint: #endpoint,
            system: #system,
            prompt: #prompt,
            messages: #messages,
            images: &[#(#images),*],
            sampling: #sampling,
            stream: #stream,
            tools: #tools,
            tool_choice: #tool_choice,
            json_schema: #json_schema,
            extra_body: #extra_body,
            vars: &[#(#vars),*],
            asserts: &[#(#asserts),*],
            threshold: #threshold,
            repeat: #repeat,
            min_pass: #min_pass,
            timeout_ms: #timeout_ms,
            mode: #mode,
            grader: #grader,
            agent: #agent,
            allow_unlisted_model: #allow_unlisted_model,
            ignored: #ignored,
        }
    }
}

/// `include_str!`/`include_bytes!` of a path under `CARGO_MANIFEST_DIR`:
/// rustc then tracks the file, and no absolute path lands in the expansion.
fn include(mac: &str, path: &str) -> TokenStream {
    let mac = format_ident!("{mac}");
    quote!(::core::#mac!(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #path)))
}

fn opt_file(krate: &syn::Path, file: Option<&JsonFile>) -> TokenStream {
    let Some(file) = file else {
        return quote!(::core::option::Option::None);
    };
    let (path, contents) = match &file.path {
        Some(path) => (path.as_str(), include("include_str", path)),
        None => {
            let text = &file.contents;
            ("<inline>", quote!(#text))
        }
    };
    quote!(::core::option::Option::Some(#krate::__private::FileSpec { path: #path, contents: #contents }))
}
