//! Literal pieces of the generated `EvalSpec`s, shared by `#[llama_eval]`
//! and `promptfoo_suite!`: optional values, the endpoint, the mode and the
//! sampling options as typed values, so the runtime parses nothing again.

use llama_test_core::sampling::Sampling;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

pub fn opt_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

pub fn opt_f64(value: Option<f64>) -> TokenStream {
    match value.map(Literal::f64_unsuffixed) {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

pub fn opt_int(value: Option<u64>) -> TokenStream {
    match value.map(Literal::u64_unsuffixed) {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

/// `Endpoint::Native` / `Endpoint::Compat` from a checked endpoint word.
pub fn endpoint(krate: &syn::Path, word: &str) -> TokenStream {
    let variant = format_ident!("{}", capitalized(word));
    quote!(#krate::__private::Endpoint::#variant)
}

/// `Some(Mode::Record)` from a checked mode word, or `None`.
pub fn mode(krate: &syn::Path, word: Option<&str>) -> TokenStream {
    match word {
        Some(word) => {
            let variant = format_ident!("{}", capitalized(word));
            quote!(::core::option::Option::Some(#krate::__private::Mode::#variant))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// A `Sampling { .. }` literal.
pub fn sampling(krate: &syn::Path, values: &Sampling) -> TokenStream {
    let temperature = opt_f64(values.temperature);
    let top_p = opt_f64(values.top_p);
    let top_k = opt_int(values.top_k.map(u64::from));
    let max_tokens = opt_int(values.max_tokens.map(u64::from));
    let repetition_penalty = opt_f64(values.repetition_penalty);
    let frequency_penalty = opt_f64(values.frequency_penalty);
    let presence_penalty = opt_f64(values.presence_penalty);
    quote! {
        #krate::__private::Sampling {
            temperature: #temperature,
            top_p: #top_p,
            top_k: #top_k,
            max_tokens: #max_tokens,
            repetition_penalty: #repetition_penalty,
            frequency_penalty: #frequency_penalty,
            presence_penalty: #presence_penalty,
        }
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}
