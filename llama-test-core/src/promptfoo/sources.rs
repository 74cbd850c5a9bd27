//! Where a config's test cases and file values come from: `tests` inline or
//! as `file://tests.yaml|yml|json|csv`, `vars` values, `javascript`
//! assertions and `transform`s given as `file://...`.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::Spanned;

use super::{ConfigError, RawTest, at};

/// `tests:` as written: a list, or a `file://` path.
pub(super) enum RawTests {
    List(Vec<RawTest>),
    File(String),
}

impl<'de> Deserialize<'de> for RawTests {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawTests;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of test cases or a `file://tests.yaml|json|csv` path")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawTests, E> {
                Ok(RawTests::File(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawTests, A::Error> {
                Vec::<RawTest>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(RawTests::List)
            }
        }
        d.deserialize_any(V)
    }
}

/// A test case and where it was written, for errors.
pub(super) struct Located {
    pub test: RawTest,
    /// The `file://` file, `None` for the config itself.
    pub file: Option<String>,
    /// The CSV row's line, 0 when the errors carry their own lines.
    pub line: u64,
}

impl Located {
    pub fn inline(test: RawTest) -> Located {
        Located {
            test,
            file: None,
            line: 0,
        }
    }

    /// Puts the case's file (and CSV line) on an error that has none.
    pub fn locate(&self) -> impl Fn(ConfigError) -> ConfigError + use<> {
        let file = self.file.clone();
        let line = self.line;
        move |mut e| {
            if e.file.is_none() {
                e.file.clone_from(&file);
                if e.line == 0 {
                    e.line = line;
                    e.column = u64::from(line > 0);
                }
            }
            e
        }
    }
}

/// The test cases of `tests:`.
pub(super) fn tests(
    raw: Spanned<RawTests>,
    read: &mut impl FnMut(&str) -> Result<String, String>,
) -> Result<Vec<Located>, ConfigError> {
    let path = match raw.value {
        RawTests::List(list) => return Ok(list.into_iter().map(Located::inline).collect()),
        RawTests::File(ref s) => s.clone(),
    };
    let Some(rel) = path.strip_prefix("file://") else {
        return Err(at(
            &raw,
            format!("`tests`: `{path}` is neither a list of test cases nor a `file://` path"),
        ));
    };
    let text = read(rel).map_err(|e| at(&raw, format!("`tests`: {e}")))?;
    let ext = extension(rel);
    let in_file = |mut e: ConfigError| {
        e.file = Some(rel.to_owned());
        e
    };
    match ext.as_str() {
        "csv" => Ok(super::csv::tests(&text)
            .map_err(in_file)?
            .into_iter()
            .map(|(line, test)| Located {
                test,
                file: Some(rel.to_owned()),
                line,
            })
            .collect()),
        "yaml" | "yml" | "json" => {
            let list: Vec<RawTest> =
                serde_saphyr::from_str(&text).map_err(|e| in_file(super::yaml_error(&e)))?;
            Ok(list
                .into_iter()
                .map(|test| Located {
                    test,
                    file: Some(rel.to_owned()),
                    line: 0,
                })
                .collect())
        }
        _ => Err(at(
            &raw,
            format!("`tests`: `{rel}`: expected a .yaml, .yml, .json or .csv file"),
        )),
    }
}

/// Resolves `file://` values: vars (text trimmed; `.json`/`.yaml`/`.yml`
/// parsed into a value), `javascript` assertions and `transform`s (the
/// source, read now).
pub(super) fn load_vars(
    mut test: RawTest,
    read: &mut impl FnMut(&str) -> Result<String, String>,
) -> Result<RawTest, ConfigError> {
    for (name, value) in test.vars.iter_mut() {
        let Some(rel) = value.as_str().and_then(|s| s.strip_prefix("file://")) else {
            continue;
        };
        let rel = rel.to_owned();
        let text = read(&rel).map_err(|e| super::plain(format!("var `{name}`: {e}")))?;
        *value = match extension(&rel).as_str() {
            "json" | "yaml" | "yml" => serde_saphyr::from_str::<Value>(&text).map_err(|e| {
                let mut e = super::yaml_error(&e);
                e.file = Some(rel.clone());
                e.message = format!("var `{name}`: {}", e.message);
                e
            })?,
            _ => Value::String(text.trim().to_owned()),
        };
    }
    for a in test.assert.iter_mut() {
        let kind = a.kind.value.trim_start_matches("not-");
        if kind == "javascript"
            && let Some(value) = &a.value
            && let Some(object) = script_file(value, &a.kind, "javascript", read)?
        {
            a.value = Some(object);
        }
        if let Some(t) = &a.transform
            && let Some(object) = script_file(&t.value, t, "transform", read)?
            && let Some(t) = &mut a.transform
        {
            t.value = object;
        }
    }
    Ok(test)
}

/// A `file://x.js[:name]` value as `{file, source, function}` with the
/// source read now; `None` for inline code.
fn script_file<T>(
    value: &Value,
    located: &Spanned<T>,
    key: &str,
    read: &mut impl FnMut(&str) -> Result<String, String>,
) -> Result<Option<Value>, ConfigError> {
    let Some(spec) = value.as_str().and_then(|s| s.strip_prefix("file://")) else {
        return Ok(None);
    };
    let (file, function) = match spec.rsplit_once(':') {
        Some((file, f)) if file.ends_with(".js") || file.ends_with(".cjs") => {
            (file.to_owned(), Some(f.to_owned()))
        }
        _ => (spec.to_owned(), None),
    };
    let source = read(&file).map_err(|e| at(located, format!("`{key}`: {e}")))?;
    let mut object = serde_json::json!({"file": file, "source": source});
    if let (Some(f), Value::Object(m)) = (function, &mut object) {
        m.insert("function".into(), Value::String(f));
    }
    Ok(Some(object))
}

fn extension(path: &str) -> String {
    path.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}
