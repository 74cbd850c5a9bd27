//! The checks an eval runs on an answer, one module per family, each
//! through the public assertion API (`support` builds the answers).

mod support;

mod assertions;
mod cost;
mod javascript;
mod json;
mod rubric;
mod similarity;
mod text;
mod tools;
mod transform;
