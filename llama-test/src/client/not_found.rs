//! A provider's "model not found", made useful: one extra request to the
//! provider's models list, so the error names the ids it does serve.

use reqwest::Method;

use super::http::Outgoing;
use super::route::Route;
use super::{Client, retry::Gate};
use crate::error::Error;

/// The error for a 404 on `route`'s chat path, given the server's message.
pub(super) async fn explain(client: &Client, route: &Route, message: String) -> Error {
    let path = models_path(&route.path);
    let outgoing = Outgoing {
        method: Method::GET,
        base_url: &route.base_url,
        path: &path,
        key: route.key.as_deref(),
        auth: route.auth,
        headers: &route.headers,
        key_env: &route.key_env,
        base_url_env: &route.base_url_env,
        body: None,
        stream: false,
        model: None,
        converse: None,
    };
    let gate = Gate {
        quota: None,
        provider: route.provider.clone(),
    };
    let listed = super::retry::with_retries(client.config(), gate, &path, |attempt| {
        client.attempt_list_models(&outgoing, attempt)
    })
    .await;
    let (provider, model) = (&route.provider, &route.model);
    match listed {
        Ok(models) => {
            let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
            let suggestion = llama_test_core::suggest::did_you_mean(model, &ids).map(str::to_owned);
            let hint = suggestion
                .as_ref()
                .map(|s| format!("did you mean `{provider}:{s}`? "))
                .unwrap_or_default();
            Error::NotFound {
                message: format!(
                    "provider `{provider}` does not serve model `{model}` ({message}); {hint}it serves: {}",
                    match ids.is_empty() {
                        true => "nothing (its models list is empty)".to_owned(),
                        false => llama_test_core::suggest::backticked(&ids),
                    }
                ),
                suggestion,
            }
        }
        Err(_) => Error::NotFound {
            message: format!(
                "provider `{provider}` answered 404 for model `{model}`: {message}; check the model id \
                 and {} (its models list at {path} could not be read either)",
                route.base_url_env
            ),
            suggestion: None,
        },
    }
}

/// `/v1/chat/completions` -> `/v1/models`.
fn models_path(chat_path: &str) -> String {
    chat_path
        .strip_suffix("/chat/completions")
        .map_or_else(|| "/v1/models".to_owned(), |p| format!("{p}/models"))
}
