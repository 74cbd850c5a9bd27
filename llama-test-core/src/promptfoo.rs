//! promptfoo configs (`promptfooconfig.yaml`), read at compile time by
//! `promptfoo_suite!`: the YAML is parsed strictly with `serde-saphyr`
//! (every unknown key is an error with its line, column and the accepted
//! keys), prompts are rendered with the case's vars (the plain `{{var}}`
//! grammar plus the `dump`, `upper`, `lower` and `trim` filters), and
//! promptfoo's assertion types are mapped onto the check kinds of
//! [`crate::checks`].

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_saphyr::Spanned;

mod csv;
mod instances;
mod sources;

pub use crate::promptfoo_trajectory::needs_loop;
pub use instances::{Instance, Rendered, instances, module_name};

/// A config error, located in the YAML file.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    /// The `file://` file the location is in; `None`: the config itself.
    pub file: Option<String>,
    /// 1-based line, 0 when unknown.
    pub line: u64,
    /// 1-based column, 0 when unknown.
    pub column: u64,
    /// What is wrong, naming the key.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (None, 0) => f.write_str(&self.message),
            (None, _) => write!(f, "{}:{}: {}", self.line, self.column, self.message),
            (Some(file), 0) => write!(f, "{file}: {}", self.message),
            (Some(file), _) => write!(f, "{file}:{}:{}: {}", self.line, self.column, self.message),
        }
    }
}

/// An error without a location.
pub(crate) fn plain(message: impl Into<String>) -> ConfigError {
    ConfigError {
        file: None,
        line: 0,
        column: 0,
        message: message.into(),
    }
}

fn at<T>(spanned: &Spanned<T>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        file: None,
        line: spanned.referenced.line(),
        column: spanned.referenced.column(),
        message: message.into(),
    }
}

/// One provider: the model id and its request options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provider {
    /// The model id as written (`llamaapi:Llama-3.3-70B-Instruct`).
    pub id: String,
    /// `label`, used for the test names instead of the id.
    pub label: Option<String>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u32>,
    pub top_p: Option<f64>,
    pub frequency_penalty: Option<f64>,
    pub presence_penalty: Option<f64>,
    pub stream: bool,
    /// `tools` as JSON text (an array of function tools).
    pub tools: Option<String>,
    /// `tool_choice`: `auto`, `required`, `none` or a tool name.
    pub tool_choice: Option<String>,
    /// `response_format.json_schema` as JSON text: `{name, schema}`.
    pub json_schema: Option<String>,
}

impl Provider {
    /// The tools `config.tools` declares (none without it), checked by the
    /// parser the runtime uses.
    pub fn declared_tools(&self) -> Result<Vec<crate::files::Tool>, String> {
        match self.tools.as_deref() {
            None => Ok(Vec::new()),
            Some(text) => crate::files::parse_json(text).and_then(|v| crate::files::tools(&v)),
        }
    }

    /// The names of the declared tools (none when they do not parse; that
    /// error is reported where the tools are used).
    pub fn tool_names(&self) -> Vec<String> {
        self.declared_tools()
            .map(|tools| tools.into_iter().map(|t| t.name).collect())
            .unwrap_or_default()
    }
}

/// One prompt, before rendering.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    /// A user message.
    Text(String),
    /// A chat: a JSON array of `{role, content}` messages.
    Chat(Value),
}

/// One check, in llama-test's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The check kind (`contains`, `not_icontains`, `max_latency_ms`, ...).
    pub kind: String,
    /// The value as JSON text (`null` for a flag).
    pub value_json: String,
    pub weight: f64,
    pub threshold: Option<f64>,
    /// `transform`: JavaScript over `output` whose result is what this
    /// check sees, as JSON text: the inline code as a string, or
    /// `{file, source, function}` for `file://x.js[:name]`.
    pub transform_json: Option<String>,
    /// promptfoo's named score (`metric`), carried into the check record.
    pub metric: Option<String>,
}

/// One test case: `defaultTest` merged in.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub description: Option<String>,
    /// The vars, in key order, as JSON values.
    pub vars: BTreeMap<String, Value>,
    pub checks: Vec<Check>,
    /// The pass mark on the weighted score (`threshold`).
    pub threshold: Option<f64>,
    /// The grader model for `llm-rubric` (`options.provider`).
    pub grader: Option<String>,
}

/// A whole config.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    pub description: Option<String>,
    pub providers: Vec<Provider>,
    pub prompts: Vec<Prompt>,
    pub cases: Vec<Case>,
}

// ---- the YAML as written ------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuite {
    description: Option<String>,
    providers: Vec<RawProvider>,
    prompts: Vec<Spanned<Value>>,
    tests: Option<Spanned<sources::RawTests>>,
    #[serde(rename = "defaultTest")]
    default_test: Option<RawTest>,
}

/// A provider: a string or `{id, label, config}`.
enum RawProvider {
    Id(String),
    Full(Box<RawProviderFull>),
}

impl<'de> Deserialize<'de> for RawProvider {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawProvider;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a provider id or a mapping with `id`, `label`, `config`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawProvider, E> {
                Ok(RawProvider::Id(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawProvider, A::Error> {
                RawProviderFull::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|f| RawProvider::Full(Box::new(f)))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProviderFull {
    id: String,
    label: Option<String>,
    config: Option<RawProviderConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProviderConfig {
    temperature: Option<f64>,
    max_tokens: Option<u32>,
    top_p: Option<f64>,
    frequency_penalty: Option<f64>,
    presence_penalty: Option<f64>,
    stream: Option<bool>,
    response_format: Option<RawResponseFormat>,
    tools: Option<Value>,
    tool_choice: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResponseFormat {
    #[serde(rename = "type")]
    kind: Spanned<String>,
    json_schema: Option<Value>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawTest {
    description: Option<String>,
    #[serde(default)]
    vars: BTreeMap<String, Value>,
    #[serde(default)]
    assert: Vec<RawAssert>,
    threshold: Option<f64>,
    options: Option<RawOptions>,
}

/// A test's `options`: the grader.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawOptions {
    provider: Option<Spanned<Value>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawAssert {
    #[serde(rename = "type")]
    kind: Spanned<String>,
    value: Option<Value>,
    threshold: Option<f64>,
    weight: Option<f64>,
    /// promptfoo's named score, carried into the check record.
    metric: Option<String>,
    /// JavaScript over `output` (inline or `file://`), replaced by
    /// [`sources::load_vars`] with the `{file, source, function}` object.
    transform: Option<Spanned<Value>>,
}

// ---- parsing ------------------------------------------------------------

/// The assertion types a promptfoo suite accepts.
pub const SUPPORTED_TYPES: &[&str] = &[
    "contains",
    "icontains",
    "contains-any",
    "contains-all",
    "icontains-any",
    "icontains-all",
    "equals",
    "starts-with",
    "regex",
    "is-json",
    "contains-json",
    "word-count",
    "levenshtein",
    "rouge-n",
    "bleu",
    "is-refusal",
    "finish-reason",
    "javascript",
    "length",
    "cost",
    "tool-call-f1",
    "is-valid-openai-tools-call",
    "latency",
    "function-call",
    "llm-rubric",
    "trajectory:tool-used",
    "trajectory:tool-sequence",
    "trajectory:tool-args-match",
    "trajectory:step-count",
];

/// Parses a config. `read` loads a `file://` path relative to the config's
/// directory (the caller tracks it for rebuilds).
pub fn parse(
    text: &str,
    mut read: impl FnMut(&str) -> Result<String, String>,
) -> Result<Suite, ConfigError> {
    let raw: RawSuite = serde_saphyr::from_str(text).map_err(|e| yaml_error(&e))?;
    let providers = raw
        .providers
        .into_iter()
        .map(provider)
        .collect::<Result<Vec<_>, _>>()?;
    if providers.is_empty() {
        return Err(plain("`providers` is empty"));
    }
    let prompts = prompts(raw.prompts, &mut read)?;
    let default =
        sources::load_vars(raw.default_test.unwrap_or_default(), &mut read).map_err(|mut e| {
            e.message = format!("`defaultTest`: {}", e.message);
            e
        })?;
    let mut tests = match raw.tests {
        None => Vec::new(),
        Some(tests) => sources::tests(tests, &mut read)?,
    };
    if tests.is_empty() {
        tests.push(sources::Located::inline(RawTest::default()));
    }
    let mut cases = Vec::with_capacity(tests.len());
    for t in tests {
        let located = t.locate();
        let test = sources::load_vars(t.test, &mut read).map_err(&located)?;
        cases.push(case(&default, test).map_err(&located)?);
    }
    Ok(Suite {
        description: raw.description,
        providers,
        prompts,
        cases,
    })
}

/// A YAML error, located.
fn yaml_error(e: &serde_saphyr::Error) -> ConfigError {
    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
    ConfigError {
        file: None,
        line,
        column,
        message: e.without_snippet().to_string(),
    }
}

fn provider(raw: RawProvider) -> Result<Provider, ConfigError> {
    let full = match raw {
        RawProvider::Id(id) => {
            return Ok(Provider {
                id,
                ..Provider::default()
            });
        }
        RawProvider::Full(full) => *full,
    };
    let mut p = Provider {
        id: full.id,
        label: full.label,
        ..Provider::default()
    };
    if let Some(c) = full.config {
        p.temperature = c.temperature;
        p.max_tokens = c.max_tokens;
        p.top_p = c.top_p;
        p.frequency_penalty = c.frequency_penalty;
        p.presence_penalty = c.presence_penalty;
        p.stream = c.stream.unwrap_or(false);
        p.tools = c.tools.map(|t| t.to_string());
        p.tool_choice = match c.tool_choice {
            None => None,
            Some(Value::String(s)) => Some(s),
            // OpenAI's `{type: function, function: {name}}`.
            Some(v) => match v.pointer("/function/name").and_then(Value::as_str) {
                Some(name) => Some(name.to_owned()),
                None => {
                    return Err(plain(format!(
                        "provider `{}`: `tool_choice` must be `auto`, `required`, `none`, \
                             a tool name or `{{type: function, function: {{name}}}}`",
                        p.id
                    )));
                }
            },
        };
        if let Some(rf) = c.response_format {
            match rf.kind.value.as_str() {
                "json_schema" => {
                    let Some(schema) = rf.json_schema else {
                        return Err(at(
                            &rf.kind,
                            "`response_format` of type `json_schema` needs `json_schema`",
                        ));
                    };
                    p.json_schema = Some(schema.to_string());
                }
                other => {
                    return Err(at(
                        &rf.kind,
                        format!(
                            "`response_format.type`: `{other}` is not supported, expected `json_schema`"
                        ),
                    ));
                }
            }
        }
    }
    Ok(p)
}

fn prompts(
    raw: Vec<Spanned<Value>>,
    read: &mut impl FnMut(&str) -> Result<String, String>,
) -> Result<Vec<Prompt>, ConfigError> {
    let mut out = Vec::new();
    // Consecutive `{role, content}` items form one chat prompt, as in the
    // seed's multimodal example.
    let mut chat: Vec<Value> = Vec::new();
    for item in raw {
        match &item.value {
            Value::Object(m) if m.contains_key("role") => {
                chat.push(item.value.clone());
                continue;
            }
            _ => {}
        }
        if !chat.is_empty() {
            out.push(Prompt::Chat(Value::Array(std::mem::take(&mut chat))));
        }
        match &item.value {
            Value::String(s) => match s.strip_prefix("file://") {
                Some(path) => {
                    let text = read(path).map_err(|e| at(&item, format!("`prompts`: {e}")))?;
                    if path.ends_with(".json") {
                        let v = crate::files::parse_json(&text)
                            .map_err(|e| at(&item, format!("`prompts`: {path}: {e}")))?;
                        out.push(Prompt::Chat(v));
                    } else if path.ends_with(".yaml") || path.ends_with(".yml") {
                        let v: Value = serde_saphyr::from_str(&text).map_err(|e| {
                            let mut e = yaml_error(&e);
                            e.file = Some(path.to_owned());
                            e
                        })?;
                        out.push(Prompt::Chat(v));
                    } else {
                        // promptfoo: a line `---` separates prompts in a
                        // text file; the text is trimmed.
                        let mut part = String::new();
                        for line in text.lines().chain(std::iter::once("---")) {
                            if line.trim() == "---" {
                                if !part.trim().is_empty() {
                                    out.push(Prompt::Text(part.trim().to_owned()));
                                }
                                part.clear();
                            } else {
                                part.push_str(line);
                                part.push('\n');
                            }
                        }
                    }
                }
                None => out.push(Prompt::Text(s.clone())),
            },
            Value::Array(_) => out.push(Prompt::Chat(item.value.clone())),
            _ => {
                return Err(at(
                    &item,
                    "`prompts`: each prompt is a string, a `file://` path, a chat message \
                     `{role, content}` or a list of them",
                ));
            }
        }
    }
    if !chat.is_empty() {
        out.push(Prompt::Chat(Value::Array(chat)));
    }
    for p in &out {
        if let Prompt::Chat(v) = p {
            crate::files::messages(v).map_err(|e| plain(format!("`prompts`: {e}")))?;
        }
    }
    if out.is_empty() {
        return Err(plain("`prompts` is empty"));
    }
    Ok(out)
}

fn case(default: &RawTest, test: RawTest) -> Result<Case, ConfigError> {
    let mut vars = default.vars.clone();
    vars.extend(test.vars);
    let checks = default
        .assert
        .iter()
        .chain(&test.assert)
        .map(check)
        .collect::<Result<Vec<_>, _>>()?;
    let options = test.options.or_else(|| default.options.clone());
    let grader = match options.and_then(|o| o.provider) {
        None => None,
        Some(p) => Some(grader(&p)?),
    };
    Ok(Case {
        description: test.description,
        vars,
        checks,
        threshold: test.threshold.or(default.threshold),
        grader,
    })
}

/// `options.provider`: a model id or `{id}`.
fn grader(p: &Spanned<Value>) -> Result<String, ConfigError> {
    let id = match &p.value {
        Value::String(id) => Some(id.clone()),
        Value::Object(m) => m.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    id.filter(|id| !id.is_empty()).ok_or_else(|| {
        at(
            p,
            "`options.provider`: expected a model id (`llamaapi:Llama-3.3-70B-Instruct`) or `{id: ...}`",
        )
    })
}

fn check(raw: &RawAssert) -> Result<Check, ConfigError> {
    let transform_json = match &raw.transform {
        None => None,
        Some(t) => match &t.value {
            Value::String(code) if !code.trim().is_empty() => Some(t.value.to_string()),
            Value::Object(_) => Some(t.value.to_string()),
            _ => {
                return Err(at(
                    t,
                    "`transform`: expected JavaScript code over `output` (`output.trim()`) \
                     or a `file://transform.js[:name]` path",
                ));
            }
        },
    };
    let written = raw.kind.value.as_str();
    let (negated, base) = match written.strip_prefix("not-") {
        Some(base) => (true, base),
        None => (false, written),
    };
    let mut value = raw.value.clone().unwrap_or(Value::Null);
    let mut threshold = raw.threshold;
    let kind = match base {
        "contains" | "icontains" | "equals" | "regex" | "levenshtein" | "bleu" => base,
        "contains-any" => "contains_any",
        "contains-all" => "contains_all",
        "icontains-any" => "icontains_any",
        "icontains-all" => "icontains_all",
        "starts-with" => "starts_with",
        "is-json" => "is_json",
        "contains-json" => "contains_json",
        "word-count" => "word_count",
        "rouge-n" => "rouge_n",
        "is-refusal" => "is_refusal",
        "finish-reason" => "stop_reason",
        "function-call" => {
            // The config crosses every provider with every case: naming a
            // tool a provider does not declare is that answer's FAIL.
            value = match value {
                Value::String(name) => serde_json::json!({"name": name, "if_undeclared": "fail"}),
                Value::Object(mut m) => {
                    m.insert("if_undeclared".into(), "fail".into());
                    Value::Object(m)
                }
                other => other,
            };
            "function_call"
        }
        "llm-rubric" => "llm_rubric",
        "javascript" | "length" => base,
        "tool-call-f1" => "tool_call_f1",
        "is-valid-openai-tools-call" => "valid_tool_calls",
        "cost" => {
            // promptfoo: `threshold` is the maximum cost in US dollars.
            match threshold.take().or_else(|| value.as_f64()) {
                Some(usd) if usd.is_finite() && usd >= 0.0 => value = Value::from(usd),
                _ => {
                    return Err(at(
                        &raw.kind,
                        "`cost` needs `threshold`: the maximum cost in US dollars",
                    ));
                }
            }
            "max_cost"
        }
        _ if base.starts_with("trajectory:") => {
            let (kind, mapped) = crate::promptfoo_trajectory::map(base, value)
                .map_err(|e| at(&raw.kind, format!("`{written}`: {e}")))?;
            value = mapped;
            kind
        }
        "latency" => {
            // promptfoo: `threshold` is the maximum in milliseconds.
            let ms = threshold.take().or_else(|| value.as_f64());
            match ms {
                Some(ms) if ms >= 0.0 => value = Value::from(ms.round() as u64),
                _ => {
                    return Err(at(
                        &raw.kind,
                        "`latency` needs `threshold`: the maximum latency in milliseconds",
                    ));
                }
            }
            "max_latency_ms"
        }
        _ => {
            return Err(at(
                &raw.kind,
                format!(
                    "assertion type `{written}` is not supported in a promptfoo suite; \
                     expected one of {} (each also as `not-...` where it can be inverted){}",
                    SUPPORTED_TYPES.join(", "),
                    if base == "python" {
                        "; write the check as a `javascript` assertion"
                    } else {
                        ""
                    }
                ),
            ));
        }
    };
    let key = if negated {
        format!("not_{kind}")
    } else {
        kind.to_owned()
    };
    let (k, _) = crate::checks::find_suite_kind(&key)
        .map(Ok)
        .unwrap_or_else(|| crate::checks::lookup(&key))
        .map_err(|e| at(&raw.kind, format!("assertion type `{written}`: {e}")))?;
    if k.shape == crate::checks::Shape::Flag && value == Value::Bool(true) {
        value = Value::Null;
    }
    if k.threshold == crate::checks::Threshold::None {
        threshold = None;
    }
    let weight = raw.weight.unwrap_or(1.0);
    if !weight.is_finite() || weight < 0.0 {
        return Err(at(&raw.kind, "`weight` must be a finite number ≥ 0"));
    }
    Ok(Check {
        kind: key,
        value_json: value.to_string(),
        weight,
        threshold,
        transform_json,
        metric: raw.metric.clone(),
    })
}

// ---- templating ---------------------------------------------------------

/// A var as template text: strings as they are, anything else as JSON.
pub fn var_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Renders `{{ name }}` and `{{ name | filter }}` (`dump`, `upper`, `lower`,
/// `trim`, chained). An unknown var or filter is an error.
pub fn render(text: &str, vars: &BTreeMap<String, Value>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        let inner = rest[start + 2..start + 2 + len].trim();
        let mut parts = inner.split('|').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let is_name = !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !is_name {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            continue;
        }
        let value = vars
            .get(name)
            .ok_or_else(|| format!("`{{{{{name}}}}}`: no var `{name}` in this test case"))?;
        let mut filled = var_text(value);
        for filter in parts {
            filled = match filter {
                "dump" => value.to_string(),
                "upper" => filled.to_uppercase(),
                "lower" => filled.to_lowercase(),
                "trim" => filled.trim().to_owned(),
                other => {
                    return Err(format!(
                        "`{{{{{inner}}}}}`: the filter `{other}` is not supported; \
                         expected one of dump, upper, lower, trim"
                    ));
                }
            };
        }
        out.push_str(&rest[..start]);
        out.push_str(&filled);
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// [`render`] on every string in a JSON value.
pub fn render_json(value: &Value, vars: &BTreeMap<String, Value>) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => Value::String(render(s, vars)?),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|v| render_json(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), render_json(v, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Suite {
        parse(text, |p| Err(format!("no file {p}"))).unwrap()
    }

    fn parse_err(text: &str) -> ConfigError {
        parse(text, |p| Err(format!("no file {p}"))).unwrap_err()
    }

    #[test]
    fn reads_providers_prompts_tests_and_default_test() {
        let suite = parse_ok(
            "description: d\n\
             providers:\n  - llamaapi:Llama-3.3-70B-Instruct\n  - id: llamaapi:Llama-3.3-8B-Instruct\n    label: small\n    config:\n      temperature: 0.7\n      max_tokens: 100\n      stream: true\n\
             prompts:\n  - 'Say {{word | upper}}'\n\
             defaultTest:\n  assert:\n    - type: latency\n      threshold: 5000\n\
             tests:\n  - description: first\n    vars:\n      word: hi\n    assert:\n      - type: not-icontains\n        value: bye\n        weight: 2\n",
        );
        assert_eq!(suite.providers.len(), 2);
        assert_eq!(suite.providers[1].label.as_deref(), Some("small"));
        assert!(suite.providers[1].stream);
        assert_eq!(suite.providers[1].max_tokens, Some(100));
        let case = &suite.cases[0];
        assert_eq!(case.checks[0].kind, "max_latency_ms");
        assert_eq!(case.checks[0].value_json, "5000");
        assert_eq!(case.checks[1].kind, "not_icontains");
        assert_eq!(case.checks[1].weight, 2.0);
        let Prompt::Text(p) = &suite.prompts[0] else {
            panic!()
        };
        assert_eq!(render(p, &case.vars).unwrap(), "Say HI");
    }

    #[test]
    fn chat_prompts_and_json_schema() {
        let suite = parse_ok(
            "providers:\n  - id: llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8\n    config:\n      response_format:\n        type: json_schema\n        json_schema:\n          name: r\n          schema: {type: object}\n\
             prompts:\n  - role: user\n    content:\n      - type: text\n        text: hi\n      - type: image_url\n        image_url:\n          url: 'https://example.com/image.jpg'\n\
             tests:\n  - vars: {}\n    assert:\n      - type: is-json\n",
        );
        assert!(matches!(&suite.prompts[0], Prompt::Chat(Value::Array(a)) if a.len() == 1));
        assert_eq!(
            suite.providers[0].json_schema.as_deref(),
            Some(r#"{"name":"r","schema":{"type":"object"}}"#)
        );
        assert_eq!(suite.cases[0].checks[0].value_json, "null");
    }

    #[test]
    fn unknown_key_is_located_with_the_accepted_keys() {
        let err = parse_err("providers:\n  - id: x\n    confg: {}\nprompts: ['a']\n");
        assert_eq!((err.line, err.column), (3, 5), "{err}");
        assert!(err.message.contains("confg"), "{err}");
        assert!(err.message.contains("label"), "{err}");
    }

    #[test]
    fn unsupported_type_is_located_and_lists_the_supported() {
        let err = parse_err(
            "providers: [a]\nprompts: ['p']\ntests:\n  - assert:\n      - type: python\n        value: x\n",
        );
        assert_eq!((err.line, err.column), (5, 15), "{err}");
        assert!(err.message.contains("`python`"), "{err}");
        assert!(err.message.contains("icontains-any"), "{err}");
    }

    #[test]
    fn transform_and_metric_are_carried() {
        let suite = parse(
            "providers: [a]\nprompts: ['p']\n\
             defaultTest:\n  assert:\n    - type: contains\n      value: x\n      transform: file://t.js:first\n\
             tests:\n  - assert:\n      - type: equals\n        value: b\n        transform: output.trim()\n        metric: tidy\n",
            |p| match p {
                "t.js" => Ok("module.exports.first = (o) => o;".to_owned()),
                other => Err(format!("no file {other}")),
            },
        )
        .unwrap();
        let checks = &suite.cases[0].checks;
        let file: Value =
            serde_json::from_str(checks[0].transform_json.as_deref().unwrap()).unwrap();
        assert_eq!(file["function"], "first");
        assert_eq!(file["source"], "module.exports.first = (o) => o;");
        assert_eq!(
            checks[1].transform_json.as_deref(),
            Some("\"output.trim()\"")
        );
        assert_eq!(checks[1].metric.as_deref(), Some("tidy"));
        let err = parse_err(
            "providers: [a]\nprompts: ['p']\ntests:\n  - assert:\n      - type: equals\n        value: b\n        transform: 3\n",
        );
        assert_eq!((err.line, err.column), (7, 20), "{err}");
        assert!(err.message.contains("`transform`"), "{err}");
        let err = parse_err(
            "providers: [a]\nprompts: ['p']\ntests:\n  - assert:\n      - type: equals\n        transform: file://gone.js\n",
        );
        assert_eq!(err.line, 6, "{err}");
        assert!(err.message.contains("gone.js"), "{err}");
    }

    #[test]
    fn filters() {
        let vars: BTreeMap<String, Value> =
            [("a".to_owned(), serde_json::json!({"k": [1]}))].into();
        assert_eq!(render("{{ a | dump }}", &vars).unwrap(), r#"{"k":[1]}"#);
        assert!(
            render("{{ a | title }}", &vars)
                .unwrap_err()
                .contains("title")
        );
        assert!(render("{{ b }}", &vars).unwrap_err().contains("`b`"));
        assert_eq!(render("\\d{{2}} {{ }}", &vars).unwrap(), "\\d{{2}} {{ }}");
    }
}
