//! What an eval's body receives: the answer plus everything needed to check it.
//! (Interface placeholder; filled in by the runtime work.)

use crate::completion::Completion;
use crate::request::ChatRequest;

/// The result of one eval call.
#[derive(Debug, Clone)]
pub struct Output {
    pub(crate) completion: Completion,
    pub(crate) request: ChatRequest,
}

impl Output {
    /// The assistant text.
    pub fn text(&self) -> &str {
        &self.completion.text
    }

    /// The normalized completion.
    pub fn completion(&self) -> &Completion {
        &self.completion
    }

    /// The request that produced this output.
    pub fn request(&self) -> &ChatRequest {
        &self.request
    }
}
