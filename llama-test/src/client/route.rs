//! Where one chat request goes: the provider its model id names, the URL,
//! the key and how it travels, the body in that provider's dialect, and the
//! path its recording is filed under.
//!
//! Recorded paths start with the provider name for every provider but
//! Meta's Llama API (`/openrouter/v1/chat/completions`), so fixtures name the
//! provider and never the host, and replay serves them from
//! `<replay prefix>/<provider>/...`.

use std::sync::Arc;

use crate::catalogue::{self, ModelFamily};
use crate::error::{Error, Result};
use crate::images;
use crate::providers::{Auth, Provider, ProviderKind};
use crate::request::ChatRequest;
use crate::wire;

use super::ClientConfig;
use super::converse::Converse;
use super::limits::Pool;

/// A resolved request.
pub(crate) struct Route {
    /// The provider name (`llamaapi` for Meta's API).
    pub provider: String,
    /// The model as sent.
    pub model: String,
    /// Service root the path is appended to.
    pub base_url: String,
    /// Path sent.
    pub path: String,
    /// Path recorded in fixtures.
    pub recorded_path: String,
    /// The key, if one is sent.
    pub key: Option<String>,
    /// How it is sent.
    pub auth: Auth,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// The variables to name in errors about the key and the URL.
    pub key_env: String,
    pub base_url_env: String,
    /// The JSON body.
    pub body: serde_json::Value,
    /// The limiter pool, unless rate limiting is off.
    pub pool: Option<Pool>,
    /// The provider, for dialect decisions; `None` for Meta's API.
    pub target: Option<Arc<Provider>>,
    /// Bedrock Converse: how the request is signed and read; `None` for
    /// every other provider.
    pub converse: Option<Converse>,
}

impl Route {
    /// Resolves `request` under `config`.
    pub fn new(config: &ClientConfig, request: &ChatRequest) -> Result<Route> {
        let target = config.providers.parse(&request.model)?;
        if target.is_llamaapi() {
            return llamaapi(config, request);
        }
        let provider = config.providers.get(&target.provider)?;
        let model = target.model;
        if let Some(declared) = provider.model(&model)
            && declared.images == Some(false)
            && request
                .messages
                .iter()
                .any(|m| m.image_urls().next().is_some())
        {
            return Err(Error::InvalidRequest(format!(
                "model `{model}` of provider `{}` is declared text-only (`images = false` in \
                 llama-test.toml) but the request carries images",
                provider.name
            )));
        }
        images::validate_request_images(request, None)?;
        let (body, path) = match provider.kind {
            ProviderKind::OpenAi => (
                wire::provider_body(request, &provider, &model)?,
                provider.path.clone(),
            ),
            ProviderKind::LlamaApi => {
                let mut body = wire::request_body(request)?;
                body["model"] = serde_json::Value::String(model.clone());
                (body, request.endpoint.path().to_owned())
            }
            ProviderKind::Bedrock => return bedrock(config, request, provider, model),
        };
        let name = provider.name.clone();
        let (base_url, key) = if config.providers_under_base_url {
            (format!("{}/{name}", config.base_url), None)
        } else {
            if provider.key_required && provider.key.is_none() {
                return Err(Error::Config(format!(
                    "provider `{name}` needs a key for model `{model}`: set {}",
                    provider.key_env.as_deref().unwrap_or("its key variable")
                )));
            }
            (provider.live_base_url()?.to_owned(), provider.key.clone())
        };
        let pool = config.rate_limited.then(|| Pool::provider(&provider));
        Ok(Route {
            recorded_path: format!("/{name}{path}"),
            provider: name.clone(),
            model,
            base_url,
            path,
            key,
            auth: provider.auth,
            headers: provider.headers.clone(),
            key_env: provider.key_env.clone().unwrap_or_default(),
            base_url_env: llama_test_core::providers::base_url_env(&name),
            body,
            pool,
            target: Some(provider),
            converse: None,
        })
    }

    /// Whether this goes to Meta's Llama API.
    pub fn is_llamaapi(&self) -> bool {
        self.target.is_none()
    }

    /// Credentials besides [`Route::key`] that errors must never show
    /// (SigV4's secret key and session token).
    pub fn secrets(&self) -> Vec<&str> {
        self.converse
            .as_ref()
            .map_or_else(Vec::new, Converse::secrets)
    }
}

/// Bedrock Converse (`bedrock:` ids): the Converse body, the path of
/// Converse or ConverseStream, the Bedrock Runtime host of `AWS_REGION`,
/// and a Bedrock API key (sent as a bearer token) or SigV4 signing; in
/// replay (`providers_under_base_url`) no region and no credentials.
fn bedrock(
    config: &ClientConfig,
    request: &ChatRequest,
    provider: Arc<Provider>,
    model: String,
) -> Result<Route> {
    let mut body = crate::bedrock::converse_body(request)?;
    if let serde_json::Value::Object(members) = &mut body {
        // Verbatim, the eval's over the provider's, as for every provider:
        // `additionalModelRequestFields`, `guardrailConfig`, ...
        for extra in [Some(&provider.extra_body), request.extra_body.as_ref()]
            .into_iter()
            .flatten()
        {
            members.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    let path = crate::bedrock::converse_path(&model, request.stream);
    let name = provider.name.clone();
    let (base_url, key, converse) = if config.providers_under_base_url {
        (
            format!("{}/{name}", config.base_url),
            None,
            Converse::unsigned(request.stream),
        )
    } else {
        let region = crate::bedrock::region_from_env()?;
        let base_url = provider.live_base_url()?.replace("{region}", &region);
        let (key, converse) =
            Converse::live(crate::bedrock::Auth::from_env()?, region, request.stream);
        (base_url, key, converse)
    };
    let key_env = match &key {
        Some(_) => crate::bedrock::AWS_BEARER_TOKEN_BEDROCK.to_owned(),
        None => String::new(),
    };
    let pool = config.rate_limited.then(|| Pool::provider(&provider));
    Ok(Route {
        recorded_path: format!("/{name}{path}"),
        provider: name.clone(),
        model,
        base_url,
        path,
        key,
        // With a key: `Authorization: Bearer <Bedrock API key>`.
        auth: Auth::Aws,
        headers: provider.headers.clone(),
        key_env,
        base_url_env: llama_test_core::providers::base_url_env(&name),
        body,
        pool,
        target: Some(provider),
        converse: Some(converse),
    })
}

fn llamaapi(config: &ClientConfig, request: &ChatRequest) -> Result<Route> {
    let info = catalogue::resolve(&request.model, config.allow_unlisted_models)?;
    images::validate_request_images(request, info)?;
    let body = wire::request_body(request)?;
    let path = request.endpoint.path().to_owned();
    Ok(Route {
        provider: "llamaapi".into(),
        model: catalogue::parse_provider_id(&request.model).to_owned(),
        base_url: config.base_url.clone(),
        recorded_path: path.clone(),
        path,
        key: config.api_key.clone(),
        auth: Auth::Bearer,
        headers: Vec::new(),
        key_env: "LLAMA_API_KEY".into(),
        base_url_env: "LLAMA_API_BASE_URL".into(),
        body,
        pool: config
            .rate_limited
            .then(|| Pool::Family(info.map_or(ModelFamily::Standard, |m| m.family))),
        target: None,
        converse: None,
    })
}
