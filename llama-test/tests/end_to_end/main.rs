//! `#[llama_eval]` tests run the way users run them: each driver test
//! starts the simulated Llama API and runs `#[ignore]`d probe evals in a child
//! run of this test binary (`child`), then reads what
//! libtest printed, what reached the simulator and what was written.
//!
//! Every driver names its probes by their full libtest path
//! (`records::probes::fails`), since all modules' probes share this binary.

mod child;
mod prefetch_probes;

mod agent_loop;
mod assert_forms;
mod bedrock;
mod prefetch_filters;
mod prefetch_outcomes;
mod rate_limits;
mod record_replay_parallel;
mod record_replay_perturb;
mod record_replay_roundtrip;
mod records;
mod runtime_outcomes;
