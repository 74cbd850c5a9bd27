//! Checks across keys: required keys, the model catalogue, image support,
//! endpoint-specific options, tool names, `{{var}}` templating and
//! `repeat`/`min_pass`.

use proc_macro2::TokenStream;

use llama_test_core::{ModelRef, ProviderKind, catalogue, providers};

use crate::errors::Errors;
use crate::eval::Eval;
use llama_test_core::images::MAX_IMAGES_PER_REQUEST as MAX_IMAGES;

use crate::names::{backticked, hint};
use crate::vars;

/// Reports every cross-key problem. `attr` spans "missing key" errors.
pub fn check(eval: &Eval, attr: &TokenStream, errors: &mut Errors) {
    required_keys(eval, attr, errors);
    models(eval, errors);
    images(eval, errors);
    endpoint_options(eval, errors);
    tools(eval, errors);
    crate::agent::check(eval, errors);
    templates(eval, errors);
    sampling(eval, errors);
}

fn required_keys(eval: &Eval, attr: &TokenStream, errors: &mut Errors) {
    let given = |key: &str| eval.given.iter().any(|g| g == key);
    match (given("model"), given("models")) {
        (false, false) => errors.push(
            attr,
            "missing `model = \"...\"` (or `models = [...]` for one test per model), \
             e.g. `model = \"Llama-3.3-70B-Instruct\"`",
        ),
        (true, true) => errors.push(
            eval.models
                .as_ref()
                .map(|m| m.tokens.clone())
                .unwrap_or_default(),
            "give either `model` or `models`, not both",
        ),
        _ => {}
    }
    if !given("prompt") && !given("messages") {
        errors.push(
            attr,
            "missing `prompt = \"...\"` or `messages = \"path.json\"`: the eval needs something to send",
        );
    }
    if let Some(models) = &eval.models
        && models.value.is_empty()
    {
        errors.push(&models.tokens, "`models` is empty; list at least one model");
    }
}

/// Every model the eval names (subject, grader, rubric graders), split into
/// provider and model; an unknown provider prefix is reported here.
fn parsed_models<'a>(
    eval: &'a Eval,
    errors: &mut Errors,
) -> Vec<(&'a crate::keys::Spanned<String>, ModelRef)> {
    let rubric_graders = eval.checks.iter().filter_map(|c| c.grader.as_ref());
    let mut out = Vec::new();
    for model in eval
        .model_list()
        .into_iter()
        .chain(&eval.grader)
        .chain(rubric_graders)
    {
        match ModelRef::parse(&model.value, eval.config.as_ref()) {
            Ok(parsed) => out.push((model, parsed)),
            Err(message) => errors.push(&model.tokens, message),
        }
    }
    out
}

fn models(eval: &Eval, errors: &mut Errors) {
    if let Some(message) = &eval.config_error {
        let span = eval
            .model_list()
            .first()
            .map(|m| m.tokens.clone())
            .unwrap_or_default();
        errors.push(&span, message.clone());
    }
    for (model, parsed) in parsed_models(eval, errors) {
        // Only Meta's Llama API has a closed catalogue; other providers'
        // ids are open strings the provider checks at run time.
        if !parsed.is_llamaapi() || eval.allow_unlisted_model {
            continue;
        }
        if catalogue::lookup(&parsed.model).is_some() {
            continue;
        }
        let suggestion = catalogue::suggest(&parsed.model)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        errors.push(
            &model.tokens,
            format!(
                "unknown model `{}`{suggestion}; known models: {}; \
                 or set `allow_unlisted_model = true` to send it anyway, \
                 or name another provider (`openrouter:...`, `ollama:chat:...`, `llamacpp:...`)",
                parsed.model,
                backticked(&catalogue::known_ids())
            ),
        );
    }
}

fn images(eval: &Eval, errors: &mut Errors) {
    let count = eval.images.len() + eval.message_images;
    if count == 0 {
        return;
    }
    if count > MAX_IMAGES
        && let Some(last) = eval.images.last()
    {
        errors.push(
            &last.tokens,
            format!("{count} images in one request; the API accepts at most {MAX_IMAGES}"),
        );
    }
    for model in eval.model_list() {
        if let Ok(parsed) = ModelRef::parse(&model.value, eval.config.as_ref())
            && !parsed.is_llamaapi()
        {
            let declared = eval
                .config
                .as_ref()
                .and_then(|c| c.model(&parsed.provider, &parsed.model));
            if declared.is_some_and(|m| m.images == Some(false)) {
                errors.push(
                    &model.tokens,
                    format!(
                        "model `{}` of provider `{}` is declared text-only \
                         (`images = false` in llama-test.toml) and does not accept images",
                        parsed.model, parsed.provider
                    ),
                );
            }
            continue;
        }
        if let Some(info) = catalogue::lookup(&model.value)
            && !info.accepts_images
        {
            errors.push(
                &model.tokens,
                format!(
                    "model `{}` is text-only and does not accept images; \
                     models that do: {}",
                    info.id,
                    backticked(&catalogue::image_model_ids())
                ),
            );
        }
    }
}

/// Sampling fields each target accepts: Meta's native endpoint takes
/// `top_k`/`repetition_penalty`, its compat endpoint the OpenAI penalties,
/// and every other provider its own set.
fn endpoint_options(eval: &Eval, errors: &mut Errors) {
    let endpoint_given = eval.given.iter().any(|g| g == "endpoint");
    let native = match &eval.endpoint {
        Some(e) => e.value == "native",
        // An invalid `endpoint` was reported; guessing it would add noise.
        None if endpoint_given => return,
        None => true,
    };
    let mut reported = Vec::new();
    for model in eval.model_list() {
        let Ok(parsed) = ModelRef::parse(&model.value, eval.config.as_ref()) else {
            continue; // reported by `models`
        };
        for (field, tokens) in &eval.sampling_given {
            let message = if parsed.is_llamaapi() {
                llamaapi_option_error(field, native)
            } else {
                let kind = eval
                    .config
                    .as_ref()
                    .and_then(|c| c.kind_of(&parsed.provider))
                    .or_else(|| providers::preset(&parsed.provider).map(|p| p.kind))
                    .unwrap_or(ProviderKind::OpenAi);
                providers::sampling_error(&parsed.provider, kind, field)
            };
            if let Some(message) = message
                && !reported.contains(&message)
            {
                errors.push(tokens, message.clone());
                reported.push(message);
            }
        }
        if endpoint_given
            && !parsed.is_llamaapi()
            && let Some(e) = &eval.endpoint
        {
            errors.push(
                &e.tokens,
                format!(
                    "`endpoint` chooses between Meta's Llama API endpoints; provider `{}` has one \
                     chat endpoint, so remove `endpoint`",
                    parsed.provider
                ),
            );
        }
    }
}

fn llamaapi_option_error(field: &str, native: bool) -> Option<String> {
    match (field, native) {
        ("frequency_penalty" | "presence_penalty", true) => Some(format!(
            "`{field}` is an OpenAI option that the native endpoint does not accept; \
             add `endpoint = \"compat\"` or use `repetition_penalty`"
        )),
        ("top_k" | "repetition_penalty", false) => Some(format!(
            "`{field}` is not part of the OpenAI-compatible endpoint \
             (/compat/v1/chat/completions); use `endpoint = \"native\"` to send `{field}`"
        )),
        _ => None,
    }
}

fn tools(eval: &Eval, errors: &mut Errors) {
    let declared = eval.given.iter().any(|g| g == "tools");
    if declared && eval.tools.is_none() {
        return; // the tools file itself was reported
    }
    let names: Vec<&str> = eval.tool_names.iter().map(String::as_str).collect();
    if let Some(choice) = &eval.tool_choice {
        let is_mode = ["auto", "none"].contains(&choice.value.as_str());
        if !is_mode && !declared {
            errors.push(
                &choice.tokens,
                format!(
                    "`tool_choice = \"{}\"` needs `tools = \"path.json\"`",
                    choice.value
                ),
            );
        } else if !is_mode && choice.value != "required" && !names.contains(&choice.value.as_str())
        {
            errors.push(
                &choice.tokens,
                format!(
                    "`tool_choice = \"{}\"` is not a declared tool{}; expected `auto`, `required`, \
                     `none` or one of the tools: {}",
                    choice.value,
                    hint(&choice.value, &names),
                    backticked(&names)
                ),
            );
        }
    }
    for function in eval.checks.iter().filter_map(|c| c.function.as_ref()) {
        if !declared {
            errors.push(
                &function.tokens,
                "`function_call` checks a tool call, but no `tools = \"path.json\"` are declared",
            );
        } else if !names.contains(&function.value.as_str()) {
            errors.push(
                &function.tokens,
                format!(
                    "`function_call = \"{}\"` is not a declared tool{}; the tools are: {}",
                    function.value,
                    hint(&function.value, &names),
                    backticked(&names)
                ),
            );
        }
    }
}

fn templates(eval: &Eval, errors: &mut Errors) {
    for (key, text) in [("prompt", &eval.prompt), ("system", &eval.system)] {
        if let Some(text) = text {
            vars::check(key, text, &eval.cases, errors);
        }
    }
    for check in &eval.checks {
        for text in &check.strings {
            vars::check(
                &format!("assert({})", check.kind),
                text,
                &eval.cases,
                errors,
            );
        }
    }
}

/// `min_pass` is a pass *rate* over `repeat` samples; with one sample the
/// rate is 0 or 1, so the key would silently do nothing.
fn sampling(eval: &Eval, errors: &mut Errors) {
    let Some(min_pass) = &eval.min_pass else {
        return;
    };
    let repeat_given = eval.given.iter().any(|g| g == "repeat");
    let found = match eval.repeat {
        Some(n) if n > 1 => return,
        Some(n) => format!("`repeat = {n}`"),
        // An invalid `repeat` was reported; this would only add noise.
        None if repeat_given => return,
        None => "no `repeat`".to_string(),
    };
    errors.push(
        &min_pass.tokens,
        format!(
            "`min_pass` needs `repeat = N` with N > 1 (found {found}): it is the share of \
             N samples that must pass, and one sample passes or fails on its own; \
             add e.g. `repeat = 5` or remove `min_pass`"
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// Every error `#[llama_eval(attr)]` reports, with files resolved
    /// against this crate's `tests/data`.
    fn errors_for(attr: TokenStream) -> Vec<String> {
        let mut errors = Errors::new();
        let args = crate::args::parse_args(attr.clone(), &mut errors);
        let eval = Eval::from_args(&args, &mut errors);
        check(&eval, &attr, &mut errors);
        errors.messages()
    }

    #[test]
    fn a_complete_eval_has_no_errors() {
        let errors = errors_for(quote! {
            models = ["Llama-4-Scout-17B-16E-Instruct-FP8", "llamaapi:chat:Llama-4-Maverick-17B-128E-Instruct-FP8"],
            prompt = "Weather in {{city}}?", system = "Use {{unit}}.",
            image = "tests/data/pixel.png", tools = "tests/data/tools.json",
            tool_choice = "required", endpoint = "compat", frequency_penalty = 0.1,
            case(city = "Paris", unit = "celsius"),
            assert(function_call = "get_weather", contains = "{{city}}"),
            grader = "llama-4-maverick", allow_unlisted_model,
        });
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn counts_images_against_the_request_limit() {
        let errors = errors_for(quote! {
            model = "Llama-4-Scout-17B-16E-Instruct-FP8", prompt = "Compare",
            images = ["https://a/1.png", "https://a/2.png", "https://a/3.png",
                      "https://a/4.png", "https://a/5.png", "https://a/6.png",
                      "https://a/7.png", "https://a/8.png", "https://a/9.png"],
            image = "tests/data/pixel.png",
        });
        assert_eq!(
            errors,
            ["10 images in one request; the API accepts at most 9"]
        );
    }

    /// A data URL is decoded and sniffed here as the runtime does before
    /// sending it, so one it would refuse does not compile.
    #[test]
    fn data_urls_are_checked_as_the_runtime_checks_them() {
        let errors = errors_for(quote! {
            model = "Llama-4-Scout-17B-16E-Instruct-FP8", prompt = "Describe",
            images = ["data:image/png;base64,iVBORw0KGgo=", "data:image/png;base64,%%"],
        });
        assert_eq!(
            errors,
            [
                "image `data:image/png;base64,iVBORw0KGgo=...` is an unrecognized format; \
                 the Llama API accepts JPEG, PNG, GIF or ICO images only",
                "image data:image/png;base64,%%... has invalid base64 data: \
                 Invalid symbol 37, offset 0.",
            ]
        );
    }

    #[test]
    fn tool_references_need_declared_tools() {
        let errors = errors_for(quote! {
            model = "Llama-3.3-70B-Instruct", prompt = "Hi",
            tool_choice = "required", assert(function_call = "get_weather"),
        });
        assert_eq!(
            errors,
            [
                "`tool_choice = \"required\"` needs `tools = \"path.json\"`",
                "`function_call` checks a tool call, but no `tools = \"path.json\"` are declared",
            ]
        );
        let ok = errors_for(quote! {
            model = "Llama-3.3-70B-Instruct", prompt = "Hi", tool_choice = "none",
        });
        assert!(ok.is_empty(), "{ok:?}");
    }

    #[test]
    fn the_grader_is_checked_against_the_catalogue() {
        let errors = errors_for(quote! {
            model = "Llama-3.3-70B-Instruct", prompt = "Hi", grader = "llama-4-maverick",
        });
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with(
                "unknown model `llama-4-maverick`; did you mean \
                 `Llama-4-Maverick-17B-128E-Instruct-FP8`?"
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn min_pass_needs_more_than_one_sample() {
        let needs = "`min_pass` needs `repeat = N` with N > 1";
        let errors = errors_for(quote!(
            model = "Llama-3.3-70B-Instruct",
            prompt = "Hi",
            min_pass = 0.8
        ));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with(needs), "{errors:?}");
        assert!(errors[0].contains("found no `repeat`"), "{errors:?}");
        let errors = errors_for(quote!(
            model = "Llama-3.3-70B-Instruct",
            prompt = "Hi",
            repeat = 1,
            min_pass = 0.8
        ));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("found `repeat = 1`"), "{errors:?}");
        let ok = errors_for(quote!(
            model = "Llama-3.3-70B-Instruct",
            prompt = "Hi",
            repeat = 2,
            min_pass = 0.8
        ));
        assert!(ok.is_empty(), "{ok:?}");
        // `repeat = 0` is reported on its own, not again through `min_pass`.
        let errors = errors_for(quote!(
            model = "Llama-3.3-70B-Instruct",
            prompt = "Hi",
            repeat = 0,
            min_pass = 0.8
        ));
        assert_eq!(errors, ["`repeat` must be at least 1"]);
    }

    #[test]
    fn an_invalid_value_is_not_also_reported_missing() {
        let errors = errors_for(quote!(model = 3, prompt = ["a"]));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("`model` expects a string"));
        assert!(errors[1].starts_with("`prompt` expects a string"));
    }
}
