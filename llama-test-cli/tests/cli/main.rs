//! The `llama-test` command line: its subcommands against result records
//! written by hand (`support`), the JUnit report against its schema, the
//! HTML report in headless Chromium, and the promptfoo converter.

mod support;

mod browser;
mod commands;
mod compare;
mod convert;
mod junit;
