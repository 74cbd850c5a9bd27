//! The sandboxed QuickJS engine behind `javascript` checks (rquickjs).
//!
//! Each run gets a fresh runtime with a memory limit and an interrupt
//! handler that stops it at a deadline. Nothing but the ECMAScript
//! built-ins is there: rquickjs compiles in neither QuickJS's `std`/`os`
//! modules nor a module loader, so a script cannot read files, open
//! sockets or start processes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rquickjs::{CatchResultExt, CaughtError, Context, Ctx, Function, Runtime};
use serde_json::Value;

/// The limits of one script run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall time for compiling and running the script.
    pub time: Duration,
    /// The most memory the runtime may allocate, in bytes.
    pub memory: usize,
}

/// 1 s and 32 MiB per check.
pub const DEFAULT_LIMITS: Limits = Limits {
    time: Duration::from_secs(1),
    memory: 32 * 1024 * 1024,
};

/// What a script returned, as JSON (`undefined` and functions have none).
#[derive(Debug, Clone, PartialEq)]
pub enum Returned {
    /// A value JSON can hold.
    Json(Value),
    /// `undefined`, a function, a symbol, ...: the `typeof` name.
    Other(String),
}

/// Why a script gave no value.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The source does not parse: the SyntaxError's message.
    Syntax(String),
    /// The script threw: the message, then the stack when there is one.
    Threw(String),
    /// It ran past [`Limits::time`].
    Timeout(Duration),
    /// It allocated past [`Limits::memory`].
    OutOfMemory(usize),
    /// The engine itself failed (no runtime could be made).
    Engine(String),
}

/// Compiles `body` as the body of `function (output, context)` and
/// reports a syntax error, without running it.
pub fn compile(body: &str, limits: Limits) -> Result<(), Failure> {
    with_engine(limits, |ctx| {
        function(ctx, body).map(|_| Returned::Other("function".into()))
    })
    .map(|_| ())
}

/// Runs `body` as `function (output, context) { body }` with `output` and
/// `context` (given as JSON) and returns its result.
pub fn run(
    body: &str,
    output: &Value,
    context: &Value,
    limits: Limits,
) -> Result<Returned, Failure> {
    let result = with_engine(limits, |ctx| {
        let f = function(ctx, body)?;
        let output = to_js(ctx, output)?;
        let context = to_js(ctx, context)?;
        let result: rquickjs::Value = f
            .call((output, context))
            .catch(ctx)
            .map_err(|e| caught(ctx, e))?;
        from_js(ctx, result)
    });
    // QuickJS throws `null` when it cannot even allocate the "out of
    // memory" error; a script that throws nothing itself did not do that.
    match result {
        Err(Failure::Threw(m)) if m == THREW_NULL && !body.contains("throw") => {
            Err(Failure::OutOfMemory(limits.memory))
        }
        other => other,
    }
}

const THREW_NULL: &str = "threw null";

/// A fresh, limited runtime; the closure's failures are refined into the
/// limit that was hit, if any.
fn with_engine(
    limits: Limits,
    f: impl for<'js> FnOnce(&Ctx<'js>) -> Result<Returned, Failure>,
) -> Result<Returned, Failure> {
    let engine = |e: rquickjs::Error| Failure::Engine(e.to_string());
    let runtime = Runtime::new().map_err(engine)?;
    runtime.set_memory_limit(limits.memory);
    runtime.set_max_stack_size(512 * 1024);
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    let deadline = Instant::now() + limits.time;
    runtime.set_interrupt_handler(Some(Box::new(move || {
        let late = Instant::now() >= deadline;
        if late {
            flag.store(true, Ordering::SeqCst);
        }
        late
    })));
    let context = Context::full(&runtime).map_err(engine)?;
    let result = context.with(|ctx| f(&ctx));
    if interrupted.load(Ordering::SeqCst) {
        return Err(Failure::Timeout(limits.time));
    }
    match result {
        Err(Failure::Threw(m) | Failure::Engine(m) | Failure::Syntax(m))
            if m.contains("out of memory") =>
        {
            Err(Failure::OutOfMemory(limits.memory))
        }
        other => other,
    }
}

/// `new Function('output', 'context', body)`: compiles without running.
fn function<'js>(ctx: &Ctx<'js>, body: &str) -> Result<Function<'js>, Failure> {
    let constructor: Function = ctx
        .globals()
        .get("Function")
        .map_err(|e| Failure::Engine(e.to_string()))?;
    constructor
        .call(("output", "context", body))
        .catch(ctx)
        .map_err(|e| match caught(ctx, e) {
            Failure::Threw(m) if m.starts_with("SyntaxError") => Failure::Syntax(m),
            other => other,
        })
}

fn to_js<'js>(ctx: &Ctx<'js>, value: &Value) -> Result<rquickjs::Value<'js>, Failure> {
    ctx.json_parse(value.to_string())
        .catch(ctx)
        .map_err(|e| caught(ctx, e))
}

fn from_js<'js>(ctx: &Ctx<'js>, value: rquickjs::Value<'js>) -> Result<Returned, Failure> {
    if value.is_undefined() || value.is_function() || value.is_symbol() {
        return Ok(Returned::Other(value.type_name().to_owned()));
    }
    let text = ctx
        .json_stringify(value)
        .catch(ctx)
        .map_err(|e| caught(ctx, e))?;
    let Some(text) = text else {
        return Ok(Returned::Other("undefined".to_owned()));
    };
    let text = text
        .to_string()
        .map_err(|e| Failure::Engine(e.to_string()))?;
    serde_json::from_str(&text)
        .map(Returned::Json)
        .map_err(|e| Failure::Engine(format!("the result is not JSON: {e}")))
}

/// A caught error as "Name: message" plus the stack.
fn caught<'js>(ctx: &Ctx<'js>, error: CaughtError<'js>) -> Failure {
    match error {
        CaughtError::Exception(ex) => {
            let message = ex.message().unwrap_or_default();
            let name: Option<String> = ex.get("name").ok();
            let mut text = match name {
                Some(name) if !name.is_empty() => format!("{name}: {message}"),
                _ => message,
            };
            if let Some(stack) = ex.stack().filter(|s| !s.trim().is_empty()) {
                text.push('\n');
                text.push_str(stack.trim_end());
            }
            Failure::Threw(text)
        }
        CaughtError::Value(value) => {
            let shown = ctx
                .json_stringify(value)
                .ok()
                .flatten()
                .and_then(|s| s.to_string().ok())
                .unwrap_or_else(|| "a value that is not JSON".to_owned());
            Failure::Threw(format!("threw {shown}"))
        }
        CaughtError::Error(e) => Failure::Engine(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run_ok(body: &str, output: Value) -> Returned {
        run(body, &output, &json!({"vars": {}}), DEFAULT_LIMITS).unwrap()
    }

    #[test]
    fn returns_json_values() {
        assert_eq!(
            run_ok("return output.length", json!("abc")),
            Returned::Json(json!(3))
        );
        assert_eq!(
            run_ok("return {pass: true, score: 0.5}", json!(null)),
            Returned::Json(json!({"pass": true, "score": 0.5}))
        );
        assert_eq!(
            run_ok("return undefined", json!(null)),
            Returned::Other("undefined".into())
        );
    }

    #[test]
    fn throws_syntax_errors_and_limits() {
        let threw = run("return output.a.b", &json!({}), &json!({}), DEFAULT_LIMITS).unwrap_err();
        assert!(
            matches!(&threw, Failure::Threw(m) if m.starts_with("TypeError")),
            "{threw:?}"
        );
        let syntax = compile("return (", DEFAULT_LIMITS).unwrap_err();
        assert!(matches!(syntax, Failure::Syntax(_)), "{syntax:?}");
        let quick = Limits {
            time: Duration::from_millis(50),
            ..DEFAULT_LIMITS
        };
        let slow = run("while (true) {}", &json!(null), &json!({}), quick).unwrap_err();
        assert_eq!(slow, Failure::Timeout(quick.time));
        let caught = run(
            "try { while (true) {} } catch (e) { return true }",
            &json!(null),
            &json!({}),
            quick,
        );
        assert_eq!(
            caught,
            Err(Failure::Timeout(quick.time)),
            "the interrupt is uncatchable"
        );
        let big = run(
            "let a = []; while (true) a.push('x'.repeat(1024));",
            &json!(null),
            &json!({}),
            Limits {
                time: Duration::from_secs(10),
                memory: 4 * 1024 * 1024,
            },
        )
        .unwrap_err();
        assert_eq!(big, Failure::OutOfMemory(4 * 1024 * 1024));
    }

    #[test]
    fn no_host_access() {
        for name in ["require", "process", "fetch", "std", "os", "XMLHttpRequest"] {
            let r = run_ok(&format!("return typeof {name}"), json!(null));
            assert_eq!(r, Returned::Json(json!("undefined")), "{name}");
        }
    }
}
