//! The attribute's arguments read into one typed [`Eval`]. Each key's value
//! is checked on its own here; checks across keys live in `rules`.

use crate::args::{Arg, ArgBody, ValueKind};
use crate::assert::{self, Check};
use crate::errors::Errors;
use crate::files::{self, Image, JsonFile};
use crate::keys::{self, Spanned};
use llama_test_core::choices::{ENDPOINTS, MODES};

/// Everything `#[llama_eval(...)]` declared.
pub struct Eval {
    /// Keys present, valid or not, so a bad value is not also reported missing.
    pub given: Vec<String>,
    pub model: Option<Spanned<String>>,
    pub models: Option<Spanned<Vec<Spanned<String>>>>,
    pub prompt: Option<Spanned<String>>,
    pub system: Option<Spanned<String>>,
    pub messages: Option<JsonFile>,
    /// Image parts inside the `messages` file.
    pub message_images: usize,
    pub images: Vec<Image>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub top_k: Option<u32>,
    pub max_tokens: Option<u32>,
    pub repetition_penalty: Option<f64>,
    pub frequency_penalty: Option<Spanned<f64>>,
    pub presence_penalty: Option<Spanned<f64>>,
    pub stream: bool,
    pub tools: Option<JsonFile>,
    pub tool_names: Vec<String>,
    pub tool_choice: Option<Spanned<String>>,
    pub json_schema: Option<JsonFile>,
    pub endpoint: Option<Spanned<String>>,
    /// `extra_body`, checked to be a JSON object.
    pub extra_body: Option<Spanned<String>>,
    /// Every sampling key given, with its tokens, for per-provider checks.
    pub sampling_given: Vec<(String, proc_macro2::TokenStream)>,
    /// The crate's `llama-test.toml`, when present and valid.
    pub config: Option<llama_test_core::ConfigFile>,
    /// Its path relative to the crate root, to track it (rebuild on edit).
    pub config_path: Option<String>,
    /// Why it could not be read, reported on the model.
    pub config_error: Option<String>,
    pub cases: Vec<Case>,
    pub checks: Vec<Check>,
    pub threshold: Option<f64>,
    pub repeat: Option<u32>,
    /// With the whole `min_pass = x` item, for the "needs `repeat`" error.
    pub min_pass: Option<Spanned<f64>>,
    pub timeout_ms: Option<u64>,
    pub record: Option<String>,
    pub grader: Option<Spanned<String>>,
    pub allow_unlisted_model: bool,
    /// `crate = "..."`; `None` means `::llama_test`.
    pub krate: Option<syn::Path>,
    /// `agent(...)`: run the tool loop.
    pub agent: Option<crate::agent::Agent>,
    /// The `agent(...)` item, valid or not, for errors across keys.
    pub agent_tokens: Option<proc_macro2::TokenStream>,
}

/// One `case(...)`.
pub struct Case {
    /// 0-based position among the cases.
    pub index: usize,
    /// The generated label, e.g. `case_1_nyc`.
    pub label: String,
    /// `name = "..."` as written.
    pub name: Option<String>,
    /// The other items, as `(var, value)` text.
    pub vars: Vec<(String, String)>,
}

impl Case {
    pub fn defines(&self, var: &str) -> bool {
        self.vars.iter().any(|(k, _)| k == var)
    }

    /// `case 1 (`nyc`)` for messages.
    pub fn describe(&self) -> String {
        match &self.name {
            Some(name) => format!("case {} (`{name}`)", self.index + 1),
            None => format!("case {}", self.index + 1),
        }
    }
}

/// Keys that may appear more than once.
const REPEATABLE: &[&str] = &["case", "assert"];

impl Eval {
    pub fn from_args(args: &[Arg], errors: &mut Errors) -> Eval {
        let mut eval = Eval::empty();
        let case_args: Vec<&Arg> = args.iter().filter(|a| a.key == "case").collect();
        for arg in args {
            let name = arg.name();
            if eval.given.contains(&name) && !REPEATABLE.contains(&name.as_str()) {
                errors.push(&arg.key, format!("`{name}` is given twice; keep one"));
                continue;
            }
            eval.given.push(name.clone());
            eval.read(arg, errors);
        }
        eval.cases = read_cases(&case_args, errors);
        eval.read_config();
        eval
    }

    fn empty() -> Eval {
        Eval {
            given: Vec::new(),
            model: None,
            models: None,
            prompt: None,
            system: None,
            messages: None,
            message_images: 0,
            images: Vec::new(),
            temperature: None,
            top_p: None,
            top_k: None,
            max_tokens: None,
            repetition_penalty: None,
            frequency_penalty: None,
            presence_penalty: None,
            stream: false,
            tools: None,
            tool_names: Vec::new(),
            tool_choice: None,
            json_schema: None,
            endpoint: None,
            extra_body: None,
            sampling_given: Vec::new(),
            config: None,
            config_path: None,
            config_error: None,
            cases: Vec::new(),
            checks: Vec::new(),
            threshold: None,
            repeat: None,
            min_pass: None,
            timeout_ms: None,
            record: None,
            grader: None,
            allow_unlisted_model: false,
            krate: None,
            agent: None,
            agent_tokens: None,
        }
    }

    fn read(&mut self, arg: &Arg, errors: &mut Errors) {
        let name = arg.name();
        if llama_test_core::providers::SAMPLING_FIELDS.contains(&name.as_str()) {
            self.sampling_given.push((name.clone(), arg.tokens.clone()));
        }
        match name.as_str() {
            "model" => self.model = keys::string(arg, errors),
            "models" => self.models = keys::string_list(arg, errors),
            "prompt" => self.prompt = keys::string(arg, errors),
            "system" => self.system = keys::string(arg, errors),
            "messages" => self.read_messages(arg, errors),
            "image" | "images" => self.read_images(arg, errors),
            "temperature" => self.temperature = keys::number_in(arg, 0.0, 2.0, errors),
            "top_p" => self.top_p = keys::number_in(arg, 0.0, 1.0, errors),
            "top_k" => self.top_k = keys::integer(arg, errors),
            "max_tokens" => self.max_tokens = keys::integer(arg, errors),
            "repetition_penalty" => {
                self.repetition_penalty = keys::number(arg, errors).map(|n| n.value)
            }
            "frequency_penalty" => self.frequency_penalty = keys::number(arg, errors),
            "presence_penalty" => self.presence_penalty = keys::number(arg, errors),
            "stream" => self.stream = keys::flag(arg, errors).unwrap_or(false),
            "tools" => self.read_tools(arg, errors),
            "tool_choice" => self.tool_choice = keys::string(arg, errors),
            "json_schema" => self.read_schema(arg, errors),
            "endpoint" => self.endpoint = keys::choice(arg, ENDPOINTS, errors),
            "extra_body" => self.read_extra_body(arg, errors),
            "case" => {} // read together in `read_cases`, which needs the count
            "assert" => {
                if let Some(items) = keys::list(arg, errors) {
                    self.checks.extend(assert::parse(items, errors));
                }
            }
            "threshold" => self.threshold = keys::number_in(arg, 0.0, 1.0, errors),
            "repeat" => self.repeat = self.read_repeat(arg, errors),
            "min_pass" => {
                self.min_pass = keys::number_in(arg, 0.0, 1.0, errors).map(|value| Spanned {
                    value,
                    tokens: arg.tokens.clone(),
                });
            }
            "timeout_ms" => self.timeout_ms = keys::integer(arg, errors),
            "record" => self.record = keys::choice(arg, MODES, errors).map(|m| m.value),
            "grader" => self.grader = keys::string(arg, errors),
            "allow_unlisted_model" => {
                self.allow_unlisted_model = keys::flag(arg, errors).unwrap_or(false);
            }
            "crate" => self.krate = read_crate_path(arg, errors),
            "agent" => {
                self.agent_tokens = Some(arg.tokens.clone());
                self.agent = crate::agent::parse(arg, errors);
            }
            _ => keys::unknown_key(arg, errors),
        }
    }

    /// Reads `llama-test.toml` beside `Cargo.toml`, if there is one.
    fn read_config(&mut self) {
        let Ok(dir) = files::manifest_dir() else {
            return; // reported by every file-reading key, and needed by none here
        };
        let file = llama_test_core::config_file::FILE_NAME;
        if !dir.join(file).is_file() {
            return;
        }
        self.config_path = Some(file.to_owned());
        match llama_test_core::ConfigFile::load(&dir) {
            Ok(config) => self.config = Some(config),
            Err(e) => self.config_error = Some(e),
        }
    }

    fn read_extra_body(&mut self, arg: &Arg, errors: &mut Errors) {
        let Some(text) = keys::string(arg, errors) else {
            return;
        };
        match llama_test_core::providers::parse_extra_body(&text.value) {
            Ok(_) => self.extra_body = Some(text),
            Err(message) => errors.push(keys::value_span(arg), message),
        }
    }

    fn read_repeat(&self, arg: &Arg, errors: &mut Errors) -> Option<u32> {
        let n = keys::integer::<u32>(arg, errors)?;
        if n == 0 {
            errors.push(keys::value_span(arg), "`repeat` must be at least 1");
            return None;
        }
        Some(n)
    }

    fn read_messages(&mut self, arg: &Arg, errors: &mut Errors) {
        let Some(path) = keys::string(arg, errors) else {
            return;
        };
        let Some(file) = files::load_json("messages", &path, errors) else {
            return;
        };
        match llama_test_core::files::messages(&file.json) {
            Ok(messages) => {
                self.message_images = messages.iter().map(|m| m.image_count()).sum();
                self.messages = Some(file);
            }
            Err(e) => errors.push(
                &path.tokens,
                format!("`messages` file `{}`: {e}", path.value),
            ),
        }
    }

    fn read_images(&mut self, arg: &Arg, errors: &mut Errors) {
        let sources = if arg.key == "image" {
            keys::string(arg, errors).map(|s| vec![s])
        } else {
            keys::string_list(arg, errors).map(|list| list.value)
        };
        for source in sources.unwrap_or_default() {
            self.images.extend(files::load_image(&source, errors));
        }
    }

    fn read_tools(&mut self, arg: &Arg, errors: &mut Errors) {
        let Some(path) = keys::string(arg, errors) else {
            return;
        };
        let Some(file) = files::load_json("tools", &path, errors) else {
            return;
        };
        match llama_test_core::files::tools(&file.json) {
            Ok(tools) => {
                self.tool_names = tools.into_iter().map(|t| t.name).collect();
                self.tools = Some(file);
            }
            Err(e) => errors.push(&path.tokens, format!("`tools` file `{}`: {e}", path.value)),
        }
    }

    fn read_schema(&mut self, arg: &Arg, errors: &mut Errors) {
        let Some(text) = keys::string(arg, errors) else {
            return;
        };
        // Inline JSON starts like a document; anything else is a path.
        let file = if text.value.trim_start().starts_with(['{', '[']) {
            files::inline_json("json_schema", &text, errors)
        } else {
            files::load_json("json_schema", &text, errors)
        };
        let Some(file) = file else { return };
        match llama_test_core::files::json_schema(file.json.clone(), file.path.as_deref()) {
            Ok(_) => self.json_schema = Some(file),
            Err(e) => errors.push(&text.tokens, format!("`json_schema`: {e}")),
        }
    }

    /// The models the eval runs against, each with the tokens naming it.
    pub fn model_list(&self) -> Vec<&Spanned<String>> {
        match (&self.model, &self.models) {
            (Some(model), _) => vec![model],
            (None, Some(models)) => models.value.iter().collect(),
            (None, None) => Vec::new(),
        }
    }
}

fn read_cases(args: &[&Arg], errors: &mut Errors) -> Vec<Case> {
    let mut cases = Vec::new();
    for (index, arg) in args.iter().enumerate() {
        let Some(items) = keys::list(arg, errors) else {
            continue;
        };
        let mut case = Case {
            index,
            label: String::new(),
            name: None,
            vars: Vec::new(),
        };
        for item in items {
            let var = item.name();
            let text = match &item.body {
                ArgBody::Value(v) => match &v.kind {
                    ValueKind::Str(s) => Some(s.clone()),
                    ValueKind::Int(i) => Some(i.to_string()),
                    ValueKind::Float(f) => Some(f.to_string()),
                    ValueKind::Bool(b) => Some(b.to_string()),
                    _ => None,
                },
                _ => None,
            };
            let Some(text) = text else {
                errors.push(
                    item,
                    format!(
                        "case var `{var}` needs a literal value, e.g. `{var} = \"New York, NY\"`"
                    ),
                );
                continue;
            };
            if var == "name" {
                case.name = Some(text);
            } else if case.defines(&var) {
                errors.push(&item.key, format!("case var `{var}` is given twice"));
            } else {
                case.vars.push((var, text));
            }
        }
        case.label = crate::names::case_label(index, args.len(), case.name.as_deref());
        cases.push(case);
    }
    cases
}

fn read_crate_path(arg: &Arg, errors: &mut Errors) -> Option<syn::Path> {
    let text = keys::string(arg, errors)?;
    match syn::parse_str::<syn::Path>(&text.value) {
        Ok(path) => Some(path),
        Err(_) => {
            errors.push(
                &text.tokens,
                format!(
                    "`crate` expects a path such as `llama_test` or `::my::reexport`; found `{}`",
                    text.value
                ),
            );
            None
        }
    }
}
